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

/// Decodes a datagram the code under test produced; fails the test if it does not decode.
public func decoded(_ bytes: [UInt8], file: StaticString = #filePath, line: UInt = #line) -> Message? {
    do {
        return try Message.decode(bytes)
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
