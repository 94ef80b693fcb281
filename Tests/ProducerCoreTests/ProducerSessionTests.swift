import SimulationSupport
import Wire
import XCTest

@testable import ProducerCore

final class ProducerSessionTests: XCTestCase {
    let streams = [StreamDescriptor(index: 1, kind: .video, rateMilli: 30_000), StreamDescriptor(index: 2, kind: .audio, rateMilli: 50_000)]

    func connectedProducer(now: Int64 = 0) -> ProducerSession {
        var p = ProducerSession(producer: testProducer, streams: streams, streamKey: testStreamKey(), seed: 3)
        guard case .hello(let h)? = p.start(now: now).first.flatMap({ decoded($0) }) else {
            XCTFail("no HELLO")
            return p
        }
        XCTAssertEqual(h.role, .producer)
        XCTAssertEqual(h.producer, testProducer)
        XCTAssertEqual(h.streams, streams)
        let withCookie = p.receive(Message.cookie(nonce: h.nonce, token: 77, challenge: testChallenge).encode()[...], now: now)
        guard case .hello(let h2)? = withCookie.first.flatMap({ decoded($0) }) else {
            XCTFail("no HELLO with the cookie")
            return p
        }
        XCTAssertTrue(
            p.receive(asBroker(.welcome(Welcome(nonce: h2.nonce, epoch: 1, heartbeatMillis: 500, leaseMisses: 6)), for: p.link)[...], now: now).isEmpty)
        XCTAssertEqual(p.takeEvents(), [.connected(epoch: 1, fresh: true)])
        return p
    }

    func testARefusedHelloIsReportedWithTheBrokersReasonAndRetried() {
        var p = ProducerSession(producer: testProducer, streams: streams, streamKey: testStreamKey(), seed: 3)
        guard case .hello(let h)? = p.start(now: 0).first.flatMap({ decoded($0) }) else { return XCTFail("no HELLO") }
        _ = p.receive(Message.cookie(nonce: h.nonce, token: 77, challenge: testChallenge).encode()[...], now: 5)  // the refusal answers this attempt
        let refusal = ErrorReply(requestID: 0, code: .notAuthorized, reason: "producer 1AAA99 is blocked by this broker's operator")
        XCTAssertTrue(p.receive(asBroker(.error(refusal), for: p.link)[...], now: 10).isEmpty)
        XCTAssertEqual(p.takeEvents(), [.refused(.notAuthorized, reason: refusal.reason)])
        XCTAssertLessThan(p.pollTimeout(), Int64.max, "the HELLO is retried")
    }

    func testFramesAreNotQueuedWhileNotConnected() {
        var p = ProducerSession(producer: testProducer, streams: streams, streamKey: testStreamKey(), seed: 3)
        _ = p.start(now: 0)
        XCTAssertTrue(p.sendFrame(randomFrame(5000, seed: 1), stream: 1, captureTime: 0, now: 0).isEmpty)
        XCTAssertEqual(p.counters(1)?.frames, 1)
        XCTAssertEqual(p.counters(1)?.datagrams, 0)
    }

    /// A failover move (the broker said it leaves) takes a round trip: the frames chunked meanwhile, and those sent
    /// just before to the old broker (which may not pass them on), go out as soon as the new broker welcomes the
    /// producer, stamped for it, as first sends (found by the drain simulation: they waited for a receiver to NACK
    /// them after the next frame, a gap of two frame intervals or more).
    func testFramesChunkedDuringAMoveGoOutWhenTheNewSessionIsUp() throws {
        let brokers = [address(4000), address(4100)]
        var p = ProducerSession(producer: testProducer, streams: streams, streamKey: testStreamKey(), brokers: brokers, firstBroker: 0, seed: 3)
        func welcome(_ hello: [UInt8]?, epoch: UInt64, now: Int64) -> [[UInt8]] {
            guard case .hello(let h)? = hello.flatMap({ decoded($0) }) else {
                XCTFail("no HELLO")
                return []
            }
            let withCookie = p.receive(Message.cookie(nonce: h.nonce, token: 77, challenge: testChallenge).encode()[...], now: now)
            guard case .hello(let h2)? = withCookie.first.flatMap({ decoded($0) }) else {
                XCTFail("no HELLO with the cookie")
                return []
            }
            return p.receive(asBroker(.welcome(Welcome(nonce: h2.nonce, epoch: epoch, heartbeatMillis: 500, leaseMisses: 6)), for: p.link)[...], now: now)
        }
        XCTAssertTrue(welcome(p.start(now: 0).first, epoch: 1, now: 0).isEmpty)
        XCTAssertEqual(p.sendFrame(randomFrame(100, seed: 0), stream: 1, captureTime: 0, now: 100_000).count, 1)
        XCTAssertEqual(p.sendFrame(randomFrame(100, seed: 1), stream: 1, captureTime: 0, now: 290_000).count, 1)
        let moving = p.receive(asBroker(.bye(token: 0, reason: .shutdown), for: p.link)[...], now: 300_000)
        XCTAssertEqual(p.broker, brokers[1])
        XCTAssertTrue(p.sendFrame(randomFrame(3000, seed: 2), stream: 1, captureTime: 0, now: 310_000).isEmpty, "no session: held")
        let held = welcome(moving.first, epoch: 2, now: 320_000)
        let headers = try held.map { try DataHeader.parse($0[...]) }
        XCTAssertEqual(headers.map(\.frameNumber), [2, 3, 3, 3], "not the frame sent long before the move")
        XCTAssertTrue(headers.allSatisfy { $0.flags & DataHeader.retransmitFlag == 0 }, "first sends")
        XCTAssertTrue(held.allSatisfy { DataHeader.origin(of: $0) == ClusterKey.originTag(brokerID: 2) }, "stamped for the new broker")
        XCTAssertEqual(p.counters(1)?.datagrams, 6)
    }

    func testFramesAreChunkedWithRunningNumbers() throws {
        var p = connectedProducer()
        let a = p.sendFrame(randomFrame(5000, seed: 1), stream: 1, captureTime: 11, now: 0)
        let b = p.sendFrame(randomFrame(100, seed: 2), stream: 1, captureTime: 12, now: 0)
        let audio = p.sendFrame(randomFrame(100, seed: 3), stream: 2, captureTime: 13, now: 0)
        XCTAssertEqual(a.count, 4)
        let ha = try a.map { try DataHeader.parse($0[...]) }
        let hb = try DataHeader.parse(b[0][...])
        XCTAssertEqual(ha.map(\.frameNumber), [1, 1, 1, 1])
        XCTAssertEqual(hb.frameNumber, 2)
        XCTAssertEqual(hb.sequence, ha[3].sequence &+ 1, "one sequence per stream, across frames")
        XCTAssertEqual(try DataHeader.parse(audio[0][...]).frameNumber, 1, "frame numbers are per stream")
        XCTAssertEqual(try DataHeader.parse(audio[0][...]).stream, audioStream)
        XCTAssertEqual(p.counters(1)?.datagrams, 5)
        XCTAssertEqual(p.counters(1)?.bytes, a.reduce(0) { $0 + $1.count } + b[0].count)
    }

    func testNacksAreAnsweredFromTheBufferAndThrottled() throws {
        var p = connectedProducer()
        let sent = p.sendFrame(randomFrame(5000, seed: 1), stream: 1, captureTime: 0, now: 0)
        let first = try DataHeader.parse(sent[0][...]).sequence
        func nack(_ ranges: [NackRange], rtt: UInt32, stream: StreamID = videoStream) -> [UInt8] {
            Message.nack(Nack(token: 0, stream: stream, rttMicros: rtt, ranges: ranges)).encode()
        }
        // Within one RTT of the original send: not yet.
        XCTAssertTrue(p.receive(nack([NackRange(start: first &+ 1, count: 2)], rtt: 20_000)[...], now: 10_000).isEmpty)
        let resent = p.receive(nack([NackRange(start: first &+ 1, count: 2)], rtt: 20_000)[...], now: 20_000)
        XCTAssertEqual(resent.count, 2)
        for (i, d) in resent.enumerated() {
            var expected = sent[1 + i]
            expected[32] |= DataHeader.retransmitFlag
            XCTAssertEqual(d, expected)
        }
        XCTAssertTrue(p.receive(nack([NackRange(start: first &+ 1, count: 1)], rtt: 20_000)[...], now: 30_000).isEmpty, "resent 10 ms ago")
        XCTAssertEqual(p.receive(nack([NackRange(start: first &+ 1, count: 1)], rtt: 20_000)[...], now: 40_000).count, 1)
        // Never sent, or another producer's stream: nothing.
        XCTAssertTrue(p.receive(nack([NackRange(start: first &+ 1000, count: 3)], rtt: 0)[...], now: 50_000).isEmpty)
        XCTAssertEqual(p.counters(1)?.nackedMissing, 3)
        let other = StreamID(producer: ProducerID(rawValue: 0x2B_BB77)!, index: 1)
        XCTAssertTrue(p.receive(nack([NackRange(start: first, count: 1)], rtt: 0, stream: other)[...], now: 50_000).isEmpty)
        XCTAssertEqual(p.counters(1)?.retransmitted, 3)
    }

    func testAHugeNackRangeIsBoundedByTheBuffer() {
        var p = connectedProducer()
        var first: UInt32?
        for i in 0..<600 {
            let d = p.sendFrame(randomFrame(1000, seed: UInt64(i)), stream: 1, captureTime: 0, now: 0)
            if first == nil { first = header(d[0])?.sequence }
        }
        // One range of 65535 numbers: at most one buffer's worth is even looked at.
        let range = NackRange(start: first ?? 0, count: .max)
        let out = p.receive(Message.nack(Nack(token: 0, stream: videoStream, rttMicros: 0, ranges: [range])).encode()[...], now: 1_000_000)
        let capacity = RetransmitBuffer(bytes: Limits().retransmitBufferBytes).capacity
        XCTAssertEqual(out.count, capacity - (600 - capacity), "the held ones among the first \(capacity) numbers")
    }

    func testMalformedDatagramsAreCounted() {
        var p = connectedProducer()
        XCTAssertTrue(p.receive([1, 2, 3][...], now: 0).isEmpty)
        XCTAssertEqual(p.malformed, 1)
    }
}
