import SimulationSupport
import XCTest

@testable import Wire

final class BrokerLinkTests: XCTestCase {
    let timers = Timers()

    func hello(_ bytes: [UInt8]?) -> Hello? {
        guard let bytes, case .hello(let h)? = decoded(bytes) else { return nil }
        return h
    }

    /// A client link taken through COOKIE and WELCOME at `now`; returns it with the token.
    func connected(now: Int64 = 0, epoch: UInt64 = 7) -> (BrokerLink, UInt64) {
        var link = BrokerLink(role: .client, producer: nil, streams: [], timers: timers, seed: 1)
        guard let first = hello(link.connect(now: now)) else {
            XCTFail("no HELLO")
            return (link, 0)
        }
        XCTAssertEqual(first.token, 0)
        let (send, event) = link.handle(.cookie(nonce: first.nonce, token: 0xC00C1E), now: now)
        XCTAssertNil(event)
        guard let second = hello(send.first) else {
            XCTFail("no HELLO with the cookie")
            return (link, 0)
        }
        XCTAssertEqual(second.token, 0xC00C1E)
        XCTAssertEqual(second.nonce, first.nonce)
        let (none, connected) = link.handle(.welcome(Welcome(nonce: second.nonce, epoch: epoch, heartbeatMillis: 500, leaseMisses: 6)), now: now)
        XCTAssertTrue(none.isEmpty)
        XCTAssertEqual(connected, .connected(epoch: epoch, fresh: true))
        XCTAssertTrue(link.isConnected)
        return (link, 0xC00C1E)
    }

    func testHandshake() {
        let (link, token) = connected()
        XCTAssertEqual(link.token, token)
        XCTAssertEqual(link.epoch, 7)
    }

    func testAnswersWithAnotherNonceAreIgnored() {
        var link = BrokerLink(role: .client, producer: nil, streams: [], timers: timers, seed: 1)
        guard let h = hello(link.connect(now: 0)) else { return XCTFail("no HELLO") }
        XCTAssertTrue(link.handle(.cookie(nonce: h.nonce &+ 1, token: 5), now: 0).send.isEmpty, "a COOKIE for someone else's HELLO")
        let (send, event) = link.handle(.welcome(Welcome(nonce: h.nonce &+ 1, epoch: 1, heartbeatMillis: 500, leaseMisses: 6)), now: 0)
        XCTAssertTrue(send.isEmpty)
        XCTAssertNil(event)
        XCTAssertFalse(link.isConnected)
    }

    func testHelloIsRetriedWithBackoff() {
        var link = BrokerLink(
            role: .producer, producer: testProducer, streams: [StreamDescriptor(index: 1, kind: .video, rateMilli: 30_000)], streamKey: testStreamKey(),
            timers: timers, seed: 2)
        let first = hello(link.connect(now: 0))
        XCTAssertEqual(first?.producer, testProducer)
        XCTAssertEqual(first?.streams.count, 1)
        var times: [Int64] = []
        var now: Int64 = 0
        while now <= 12_000_000 {
            if !link.poll(now: now).send.isEmpty { times.append(now) }
            now += 10_000
        }
        XCTAssertEqual(
            times, [50_000, 150_000, 350_000, 750_000, 1_550_000, 3_150_000, 5_150_000, 7_150_000, 9_150_000, 11_150_000],
            "doubling up to maxRequestBackoff")
    }

    func testHeartbeatsAtTheIntervalTheBrokerSets() {
        var link = BrokerLink(role: .client, producer: nil, streams: [], timers: timers, seed: 1)
        guard let h = hello(link.connect(now: 0)) else { return XCTFail("no HELLO") }
        _ = link.handle(.welcome(Welcome(nonce: h.nonce, epoch: 1, heartbeatMillis: 300, leaseMisses: 4)), now: 0)
        var beats: [Int64] = []
        var now: Int64 = 0
        while now < 1_000_000 {
            for d in link.poll(now: now).send {
                guard case .heartbeat(_, let sendTime, _, _)? = decoded(d) else { return XCTFail("not a HEARTBEAT") }
                XCTAssertEqual(Int64(bitPattern: sendTime), now)
                beats.append(now)
                _ = link.handle(.heartbeatAck(echoTime: sendTime, epoch: 1), now: now)
            }
            now += 50_000
        }
        XCTAssertEqual(beats, [300_000, 600_000, 900_000])
        XCTAssertEqual(link.heartbeatsSent, 3)
    }

    func testAnUnansweredHeartbeatIsRepeatedBeforeTheNextOne() {
        var (link, _) = connected()
        var beats: [Int64] = []
        var now: Int64 = 0
        while now < 1_000_000 {
            if link.deadline <= now, !link.poll(now: now).send.isEmpty { beats.append(now) }
            now += 10_000
        }
        // requestRetry (50 ms) doubling while before the next regular heartbeat at 1 s.
        XCTAssertEqual(beats, [500_000, 550_000, 650_000, 850_000])
        // An answer stops the repeats.
        let (l2, _) = connected()
        link = l2
        guard case .heartbeat(_, let t, _, _)? = link.poll(now: 500_000).send.first.flatMap({ decoded($0) }) else { return XCTFail("no HEARTBEAT") }
        _ = link.handle(.heartbeatAck(echoTime: t, epoch: 7), now: 501_000)
        XCTAssertEqual(link.deadline, 1_000_000)
        XCTAssertTrue(link.poll(now: 600_000).send.isEmpty)
    }

    func testARepeatedHeartbeatFindsARestartedBrokerQuickly() {
        var (link, _) = connected()
        _ = link.poll(now: 500_000)  // lost on the way to the restarted broker
        guard case .heartbeat? = link.poll(now: 550_000).send.first.flatMap({ decoded($0) }) else { return XCTFail("no repeat") }
        // The new broker does not know the token: it answers the repeat with a COOKIE, and the link reconnects.
        guard let h = hello(link.handle(.cookie(nonce: link.token, token: 0xBEEF), now: 551_000).send.first) else { return XCTFail("no HELLO") }
        XCTAssertEqual(h.token, 0xBEEF)
        XCTAssertFalse(link.isConnected)
    }

    func testRoundTripTimeComesFromHeartbeatAcks() throws {
        var (link, _) = connected()
        let beat = try XCTUnwrap(link.poll(now: 500_000).send.first)
        guard case .heartbeat(_, let sendTime, let rtt, _)? = decoded(beat) else { return XCTFail("not a HEARTBEAT") }
        XCTAssertEqual(rtt, 0, "unknown yet")
        _ = link.handle(.heartbeatAck(echoTime: sendTime, epoch: 7), now: 512_000)
        XCTAssertEqual(link.rtt.smoothed, 12_000)
        let next = try XCTUnwrap(link.poll(now: 1_000_000).send.first)
        guard case .heartbeat(_, _, let reported, _)? = decoded(next) else { return XCTFail("not a HEARTBEAT") }
        XCTAssertEqual(reported, 12_000)
    }

    func testTheBrokerIsLostAfterTheLease() {
        var (link, _) = connected()
        XCTAssertEqual(link.deadline, 500_000)
        var now: Int64 = 0
        var event: LinkEvent?
        while event == nil && now < 10_000_000 {
            now += 100_000
            event = link.poll(now: now).event
        }
        XCTAssertEqual(event, .lost)
        XCTAssertEqual(now, 3_100_000, "silent for more than 6 × 500 ms")
        XCTAssertFalse(link.isConnected)
        // The next WELCOME is fresh: the broker may have forgotten us.
        guard case .hello(let h)? = link.poll(now: now + 200_000).send.first.flatMap({ decoded($0) }) else { return XCTFail("no HELLO") }
        XCTAssertEqual(
            link.handle(.welcome(Welcome(nonce: h.nonce, epoch: 7, heartbeatMillis: 500, leaseMisses: 6)), now: now).event,
            .connected(epoch: 7, fresh: true))
    }

    /// A spoofer who sends a HELLO in our name draws a COOKIE (with its own nonce) to our address; one who forges a
    /// COOKIE does not know our token. Neither ends the session.
    func testACookieThatAnswersNoneOfOurMessagesIsIgnored() {
        var (link, _) = connected()
        let token = link.token
        for nonce: UInt64 in [0, 1, 0x1234_5679, token &+ 1] {
            let (send, event) = link.handle(.cookie(nonce: nonce, token: 0xBAD), now: 1_000_000)
            XCTAssertTrue(send.isEmpty)
            XCTAssertNil(event)
        }
        XCTAssertTrue(link.isConnected, "still connected")
        XCTAssertEqual(link.token, token, "the token is not replaced by a stranger's")
        XCTAssertEqual(link.spoofedCookies, 4)
    }

    func testACookieWhileConnectedMeansTheBrokerForgotUs() {
        var (link, _) = connected()
        // The broker restarted: it answers a heartbeat with a COOKIE for its new key, echoing our token.
        let (send, event) = link.handle(.cookie(nonce: link.token, token: 0xBEEF), now: 1_000_000)
        XCTAssertNil(event)
        XCTAssertFalse(link.isConnected)
        guard let h = hello(send.first) else { return XCTFail("no HELLO") }
        XCTAssertEqual(h.token, 0xBEEF)
        XCTAssertEqual(
            link.handle(.welcome(Welcome(nonce: h.nonce, epoch: 8, heartbeatMillis: 500, leaseMisses: 6)), now: 1_010_000).event,
            .connected(epoch: 8, fresh: true))
    }

    func testAHeartbeatAckOfAnotherEpochReconnects() {
        var (link, _) = connected()
        let (send, event) = link.handle(.heartbeatAck(echoTime: 0, epoch: 99), now: 1_000_000)
        XCTAssertNil(event)
        XCTAssertNotNil(hello(send.first))
        XCTAssertFalse(link.isConnected)
    }

    func testByeFromTheBroker() {
        var (link, _) = connected()
        XCTAssertEqual(link.handle(.bye(token: 0, reason: .shutdown), now: 1_000).event, .brokerLeaving)
        XCTAssertFalse(link.isConnected)
        XCTAssertEqual(link.deadline, 1_000 + timers.requestRetry)
        guard case .bye(let token, .quit)? = decoded(link.bye()) else { return XCTFail("not a BYE") }
        XCTAssertEqual(token, link.token)
    }

    func testAnOperatorsDisconnectStopsTheLinkOnlyWithOurToken() {
        var (link, _) = connected()
        // A forged disconnect (not our token) is ignored: it must not stop us for good.
        XCTAssertNil(link.handle(.bye(token: link.token ^ 1, reason: .disconnected), now: 1_000).event)
        XCTAssertTrue(link.isConnected)
        XCTAssertEqual(link.handle(.bye(token: link.token, reason: .disconnected), now: 2_000).event, .disconnected)
        XCTAssertFalse(link.isConnected)
        XCTAssertEqual(link.deadline, .max, "no HELLO until the owner connects again")
        XCTAssertTrue(link.poll(now: 60_000_000).send.isEmpty)
    }
}
