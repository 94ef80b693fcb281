import SimulationSupport
import Wire
import XCTest

@testable import ClientCore

/// The client's failover (ClientSession+Failover.swift): moves on ICMP unreachable, on a confirmed silence and
/// on BYE shutdown; keeps its subscriptions and its receivers; never delivers a frame twice; never moves on a
/// silence its broker answers.
final class ClientFailoverTests: XCTestCase {
    let token: UInt64 = 0xC00C1E
    let brokers = [address(5000), address(5001), address(5002)]

    func feed(_ c: inout ClientSession, _ m: Message, now: Int64) -> [Message] {
        c.receive(asBroker(m, for: c.link)[...], now: now).compactMap { decoded($0) }
    }

    /// Through HELLO, COOKIE and WELCOME; returns the last HELLO's nonce answered.
    func welcome(_ c: inout ClientSession, hello: [[UInt8]], now: Int64, epoch: UInt64) {
        guard case .hello(let h)? = hello.compactMap({ decoded($0) }).first else { return XCTFail("no HELLO") }
        var nonce = h.nonce
        if h.challenge == 0 {
            guard case .hello(let h2)? = feed(&c, .cookie(nonce: h.nonce, token: token, challenge: testChallenge), now: now).first else { return XCTFail("no HELLO") }
            nonce = h2.nonce
        }
        _ = feed(&c, .welcome(Welcome(nonce: nonce, epoch: epoch, heartbeatMillis: 500, leaseMisses: 6)), now: now)
    }

    /// A failover client on broker 0, subscribed to the video stream, having received frames 1 and 2.
    func streamingClient() -> ClientSession {
        var c = ClientSession(brokers: brokers, firstBroker: 0, seed: 1)
        welcome(&c, hello: c.start(now: 0), now: 0, epoch: 1)
        guard case .subscribe(let r)? = c.sendSubscribe(videoStream, now: 0).first.flatMap({ decoded($0) }) else {
            XCTFail("no SUBSCRIBE")
            return c
        }
        _ = feed(&c, .ack(Ack(requestID: r.requestID, selector: videoStream, status: .online)), now: 0)
        for n: UInt32 in 1...2 {
            for d in chunks(n) { _ = c.receive(d[...], now: Int64(n) * 33_000) }
        }
        _ = c.takeEvents()
        return c
    }

    /// Frame `n` of 3 chunks, sequence numbers 3(n-1) ..< 3n (frames follow each other without gaps).
    func chunks(_ n: UInt32) -> [[UInt8]] {
        frameDatagrams(n, firstSequence: 3 * (n - 1), captureTime: UInt64(n))
    }

    func frames(_ events: [ClientEvent]) -> [UInt32] { events.compactMap { if case .frame(let f) = $0 { f.number } else { nil } } }

    func testUnreachableMovesAtOnceAndResubscribesThere() {
        var c = streamingClient()
        XCTAssertEqual(c.broker, brokers[0])
        c.unreachable(now: 100_000)
        XCTAssertEqual(c.takeEvents(), [.moved(from: brokers[0], to: brokers[1])])
        XCTAssertEqual(c.broker, brokers[1])
        let hello = c.drainTransmits()
        guard case .hello(let h)? = hello.compactMap({ decoded($0) }).first else { return XCTFail("no HELLO at once") }
        XCTAssertEqual(h.token, token, "the cluster-wide cookie goes along")
        XCTAssertEqual(h.challenge, 0, "a challenge is one broker's, for one attempt")
        guard case .hello(let h2)? = feed(&c, .cookie(nonce: h.nonce, token: token, challenge: testChallenge), now: 100_500).first else {
            return XCTFail("no HELLO with the challenge")
        }
        let sent = feed(&c, .welcome(Welcome(nonce: h2.nonce, epoch: 2, heartbeatMillis: 500, leaseMisses: 6)), now: 101_000)
        XCTAssertEqual(c.takeEvents(), [.connected(fresh: true)])
        XCTAssertTrue(sent.contains { if case .subscribe(let r) = $0 { r.selector == videoStream } else { false } }, "\(sent)")
        XCTAssertTrue(c.isSubscribed(videoStream))
    }

    func testTheGapIsAskedOfTheNewBrokerAndNoFrameIsDeliveredTwice() {
        var c = streamingClient()
        c.unreachable(now: 100_000)
        welcome(&c, hello: c.drainTransmits(), now: 101_000, epoch: 2)
        _ = c.takeEvents()
        _ = c.drainTransmits()
        // The new broker's join frame (frame 2, cached, already delivered) and then live frame 5: frames 3 and 4 are
        // missing and NACKed, not forgotten.
        for d in chunks(2) { _ = c.receive(DataHeader.markedCached(d)[...], now: 102_000) }
        for d in chunks(5) { _ = c.receive(d[...], now: 103_000) }
        XCTAssertEqual(frames(c.takeEvents()), [], "frame 2 was delivered already; frame 5 waits for 3 and 4")
        let nacks = c.poll(now: 110_000).compactMap { decoded($0) }.compactMap { if case .nack(let n) = $0 { n } else { nil } }
        XCTAssertEqual(nacks.flatMap(\.ranges).map(\.start).min(), 6, "the gap starts right after frame 2's last datagram")
        for n: UInt32 in 3...4 { for d in chunks(n) { _ = c.receive(DataHeader.markedResent(d)[...], now: 111_000) } }
        XCTAssertEqual(frames(c.takeEvents()), [3, 4, 5], "each once, in order")
    }

    func testASilenceTheBrokerAnswersIsNoMove() {
        var c = streamingClient()
        var now: Int64 = 66_000
        var sawProbe = false
        // Frames stop (a producer pausing); the broker answers the probe: no move, and no probing again until DATA.
        while now < 1_000_000 {
            now += 5_000
            for m in c.poll(now: now).compactMap({ decoded($0) }) {
                if case .heartbeat(_, let sent, _, _) = m {
                    sawProbe = true
                    _ = feed(&c, .heartbeatAck(echoTime: sent, epoch: 1), now: now + 1_000)
                }
            }
        }
        XCTAssertTrue(sawProbe, "a silence of a few frame intervals is probed")
        XCTAssertFalse(c.takeEvents().contains { if case .moved = $0 { true } else { false } })
        XCTAssertEqual(c.broker, brokers[0])
    }

    func testAnUnansweredSilenceMovesOnceWithinTheTimeout() {
        var c = streamingClient()
        var now: Int64 = 66_000
        var movedAt: Int64?
        while now < 1_000_000 && movedAt == nil {
            now += 5_000
            _ = c.poll(now: now)
            if c.takeEvents().contains(where: { if case .moved = $0 { true } else { false } }) { movedAt = now }
        }
        let t = try! XCTUnwrap(movedAt)
        // Silence: 4 frame intervals (33 ms) after the last DATA at 66 ms, then the 100 ms probe timeout.
        XCTAssertLessThanOrEqual(t, 66_000 + 4 * 33_000 + Timers().suspectTimeout + 10_000)
        XCTAssertEqual(c.broker, brokers[1])
        // The new broker does not answer either: the next move waits for failoverHelloTimeout.
        _ = c.poll(now: t + Timers().failoverHelloTimeout - 10_000)
        XCTAssertEqual(c.broker, brokers[1], "no second move before failoverHelloTimeout")
    }

    func testBrokerShutdownMovesAtOnce() {
        var c = streamingClient()
        let sent = feed(&c, .bye(token: 0, reason: .shutdown), now: 100_000)
        XCTAssertEqual(c.takeEvents(), [.moved(from: brokers[0], to: brokers[1])])
        XCTAssertTrue(sent.contains { if case .hello = $0 { true } else { false } }, "HELLO at once")
    }

    func testASingleBrokerClientDoesNotMove() {
        var c = ClientSession(seed: 1)
        _ = c.start(now: 0)
        c.unreachable(now: 1_000)
        XCTAssertNil(c.broker)
        XCTAssertFalse(c.takeEvents().contains { if case .moved = $0 { true } else { false } })
    }
}
