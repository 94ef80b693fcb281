import Wire
import XCTest

// Shared fixtures and small helpers for every test target.

public let testProducer = ProducerID(rawValue: 0x1A_AA99)!
/// The publish secret every test broker holds, and the stream key it gives a producer id.
public let testPublishSecret = Array("test publish secret, 32 bytes ok".utf8)
public func testStreamKey(_ id: ProducerID = testProducer) -> [UInt8] { StreamKeys.streamKey(secret: testPublishSecret, producer: id) }
public let videoStream = StreamID(producer: testProducer, kind: .video)
public let audioStream = StreamID(producer: testProducer, kind: .audio)
public let allOfTestProducer = StreamID(producer: testProducer, index: 0)

/// A loopback address with the given port (every endpoint of a test gets its own port).
public func address(_ port: UInt16) -> PeerAddress { PeerAddress(ipv4: 0x7f00_0001, port: port) }

extension SplitMix64 {
    /// `count` seeded random bytes, eight per draw.
    public mutating func bytes(_ count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        var i = 0
        while i < count {
            var v = next()
            for _ in 0..<min(8, count - i) {
                out[i] = UInt8(truncatingIfNeeded: v)
                v >>= 8
                i += 1
            }
        }
        return out
    }

    /// A uniform integer in `range`.
    public mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }

    /// True with probability `p`.
    public mutating func chance(_ p: Double) -> Bool { p > 0 && Double(next() >> 11) / Double(1 << 53) < p }
}

/// The typed error `body` throws, or nil if it succeeds.
public func wireError(_ body: () throws(WireError) -> Void) -> WireError? {
    do {
        try body()
        return nil
    } catch {
        return error
    }
}

/// The error `Message.decode` gives for `bytes`, or nil if they decode.
public func decodeError(_ bytes: [UInt8]) -> WireError? { wireError { () throws(WireError) in _ = try Message.decode(bytes) } }

/// The error `DataHeader.parse` gives for `bytes`, or nil if they parse.
public func parseError(_ bytes: [UInt8]) -> WireError? { wireError { () throws(WireError) in _ = try DataHeader.parse(bytes[...]) } }

/// A control message a broker sealed for a client or producer, without its trailer (not checked: tests of the seal
/// itself open it with the key); other datagrams as they are.
public func unsealed(_ bytes: [UInt8]) -> [UInt8] {
    guard let t = try? Message.peekType(bytes[...]), ControlSeal.isSealed(t), (try? Message.decode(bytes)) == nil,
        bytes.count >= 4 + ControlSeal.trailerSize
    else { return bytes }
    return Array(bytes.dropLast(ControlSeal.trailerSize))
}

/// The challenge the tests' fake brokers put in the COOKIE answering a HELLO.
public let testChallenge: UInt64 = 0x0000_0BB8_C0FF_EE01

/// What a broker sends `link`'s session for `m`: sealed under the key the link expects now, with the next counter, as
/// the broker would (tests that play the broker). Unsealed types, and a link that expects no key, get it as it is.
public func asBroker(_ m: Message, for link: BrokerLink) -> [UInt8] {
    guard ControlSeal.isSealed(m.type), let seal = link.expectedSeal(for: m.type) else { return m.encode() }
    return seal.seal(m.encode(), counter: link.lastControlCounter &+ 1)
}

/// Decodes a datagram the code under test produced (a sealed control message without its trailer); fails the test
/// if it does not decode.
public func decoded(_ bytes: [UInt8], file: StaticString = #filePath, line: UInt = #line) -> Message? {
    do {
        return try Message.decode(unsealed(bytes))
    } catch {
        XCTFail("our own datagram does not decode: \(error)", file: file, line: line)
        return nil
    }
}

/// The header of a DATA datagram the code under test produced.
public func header(_ bytes: [UInt8], file: StaticString = #filePath, line: UInt = #line) -> DataHeader? {
    do {
        return try DataHeader.parse(bytes[...])
    } catch {
        XCTFail("our own DATA datagram does not parse: \(error)", file: file, line: line)
        return nil
    }
}

/// A frame of seeded random content.
public func randomFrame(_ size: Int, seed: UInt64) -> [UInt8] {
    var rng = SplitMix64(seed: seed)
    return rng.bytes(size)
}

/// The DATA datagrams of frame `number` as a producer sends them: `size` seeded random bytes (seeded with the frame
/// number unless `seed` is given) chunked from `firstSequence`, each stamped with `key`'s MAC when there is one.
/// The tests' one way to cut a frame.
public func frameDatagrams(
    _ number: UInt32, firstSequence: UInt32, size: Int = 3000, stream: StreamID = videoStream, captureTime: UInt64 = 0, seed: UInt64? = nil,
    key: DataMAC? = nil
) -> [[UInt8]] {
    let datagrams = Chunker.chunk(
        frame: randomFrame(size, seed: seed ?? UInt64(number)), stream: stream, frameNumber: number, firstSequence: firstSequence,
        captureTime: captureTime)
    guard let key else { return datagrams }
    return datagrams.map { d in
        var d = d
        key.stamp(&d)
        return d
    }
}

/// The DATA MAC key of `producer`'s session with `nonce` under its test stream key (nonce 42: the session the
/// broker tests' harness opens).
public func testMediaKey(_ producer: ProducerID = testProducer, nonce: UInt64 = 42) -> DataMAC {
    StreamKeys.mediaKey(streamKey: testStreamKey(producer), nonce: nonce)
}
