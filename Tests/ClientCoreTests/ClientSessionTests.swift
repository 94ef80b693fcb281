import SimulationSupport
import Wire
import XCTest

@testable import ClientCore

final class ClientSessionTests: XCTestCase {
    let timers = Timers()
    let token: UInt64 = 0xC00C1E

    /// Feeds one message to the client; returns what it sends, decoded.
    func feed(_ c: inout ClientSession, _ m: Message, now: Int64) -> [Message] {
        c.receive(asBroker(m, for: c.link)[...], now: now).compactMap { decoded($0) }
    }

    /// A client through COOKIE and WELCOME at `now` (epoch 1).
    func connectedClient(now: Int64 = 0, seed: UInt64 = 1) -> ClientSession {
        var c = ClientSession(seed: seed)
        guard case .hello(let h)? = c.start(now: now).first.flatMap({ decoded($0) }) else {
            XCTFail("no HELLO")
            return c
        }
        XCTAssertEqual(h.role, .client)
        XCTAssertEqual(h.token, 0)
        guard case .hello(let h2)? = feed(&c, .cookie(nonce: h.nonce, token: token, challenge: testChallenge), now: now).first else {
            XCTFail("no HELLO with the cookie")
            return c
        }
        XCTAssertEqual(h2.token, token)
        XCTAssertTrue(feed(&c, .welcome(Welcome(nonce: h2.nonce, epoch: 1, heartbeatMillis: 500, leaseMisses: 6)), now: now).isEmpty)
        XCTAssertEqual(c.takeEvents(), [.connected(fresh: true)])
        return c
    }

    /// A connected client subscribed (and acknowledged) to `selector`.
    func subscribedClient(_ selector: StreamID, now: Int64 = 0) -> ClientSession {
        var c = connectedClient(now: now)
        guard case .subscribe(let r)? = c.sendSubscribe(selector, now: now).first.flatMap({ decoded($0) }) else {
            XCTFail("no SUBSCRIBE")
            return c
        }
        _ = feed(&c, .ack(Ack(requestID: r.requestID, selector: selector, status: .online)), now: now)
        _ = c.takeEvents()
        return c
    }

    func chunks(_ number: UInt32, firstSequence: UInt32, size: Int = 3000, stream: StreamID = videoStream, capture: UInt64? = nil) -> [[UInt8]] {
        frameDatagrams(number, firstSequence: firstSequence, size: size, stream: stream, captureTime: capture ?? UInt64(number))
    }

    func frames(_ events: [ClientEvent]) -> [CompleteFrame] {
        events.compactMap { if case .frame(let f) = $0 { f } else { nil } }
    }

    // MARK: Session

    func testAWaitingAckHoldsTheSubscriptionAndSaysItWaits() {
        var c = connectedClient()
        _ = c.sendSubscribe(allOfTestProducer, now: 0)
        _ = feed(&c, .ack(Ack(requestID: 1, selector: allOfTestProducer, status: .waiting)), now: 1_000)
        XCTAssertEqual(c.takeEvents(), [.waiting(allOfTestProducer)])
        XCTAssertTrue(c.isSubscribed(videoStream), "held while the producer is not known, so its frames are taken later")
    }

    func testSubscribeAndReceiveFrames() {
        var c = connectedClient()
        let sent = c.sendSubscribe(videoStream, now: 0).compactMap { decoded($0) }
        XCTAssertEqual(sent, [.subscribe(SubscriptionRequest(token: token, requestID: 1, selector: videoStream))])
        XCTAssertFalse(c.isSubscribed(videoStream), "not until the broker acknowledges")
        _ = feed(&c, .ack(Ack(requestID: 1, selector: videoStream, status: .offline)), now: 1_000)
        XCTAssertTrue(c.isSubscribed(videoStream))
        XCTAssertEqual(c.takeEvents().first, .subscribed(videoStream, online: false), "subscribed, and told the producer is offline")

        var events: [ClientEvent] = []
        for d in chunks(1, firstSequence: 10).reversed() {
            XCTAssertTrue(c.receive(d[...], now: 2_000).isEmpty)
            events += c.takeEvents()
        }
        let got = frames(events)
        XCTAssertEqual(got.map(\.number), [1])
        XCTAssertEqual(got.first?.bytes, randomFrame(3000, seed: 1))
        XCTAssertEqual(got.first?.stream, videoStream)
        XCTAssertEqual(got.first?.captureTime, 1)
        XCTAssertEqual(c.stats[videoStream]?.frames.delivered, 1)
        XCTAssertEqual(c.stats[videoStream]?.bytes, 3000)
    }

    func testRequestsMadeBeforeTheSessionIsUpAreSentWhenItIs() {
        var c = ClientSession(seed: 1)
        guard case .hello(let h)? = c.start(now: 0).first.flatMap({ decoded($0) }) else { return XCTFail("no HELLO") }
        XCTAssertTrue(c.sendSubscribe(videoStream, now: 0).isEmpty)
        XCTAssertTrue(c.sendList(now: 0).isEmpty)
        guard case .hello(let h2)? = feed(&c, .cookie(nonce: h.nonce, token: token, challenge: testChallenge), now: 0).first else { return XCTFail("no HELLO") }
        let sent = feed(&c, .welcome(Welcome(nonce: h2.nonce, epoch: 1, heartbeatMillis: 500, leaseMisses: 6)), now: 10)
        XCTAssertEqual(
            sent, [.subscribe(SubscriptionRequest(token: token, requestID: 1, selector: videoStream)), .listRequest(token: token, requestID: 2)])
    }

    func testErrorsAreReported() {
        var c = connectedClient()
        _ = c.sendSubscribe(videoStream, now: 0)
        _ = feed(&c, .error(ErrorReply(requestID: 1, code: .unknownStream, reason: "no such stream")), now: 1)
        XCTAssertFalse(c.isSubscribed(videoStream))
        XCTAssertEqual(c.takeEvents().first, .refused(.subscribe(videoStream), .unknownStream, reason: "no such stream"))
        // An answer to no request is ignored.
        _ = feed(&c, .error(ErrorReply(requestID: 77, code: .badRequest, reason: "?")), now: 2)
        _ = feed(&c, .ack(Ack(requestID: 78, selector: videoStream, status: .online)), now: 2)
        XCTAssertTrue(c.takeEvents().isEmpty)
        XCTAssertFalse(c.isSubscribed(videoStream))
    }

    func testUnansweredRequestsAreRetriedWithBackoff() {
        var c = connectedClient()
        _ = c.sendSubscribe(videoStream, now: 0)
        var sentAt: [Int64] = []
        var now: Int64 = 0
        while now <= 12_000_000 {
            for m in c.poll(now: now).compactMap({ decoded($0) }) where m.type == .subscribe { sentAt.append(now) }
            _ = feed(&c, .heartbeatAck(echoTime: UInt64(now), epoch: 1), now: now)  // the session stays up; the request goes unanswered
            now += 10_000
        }
        XCTAssertEqual(Array(sentAt.prefix(5)), [50_000, 150_000, 350_000, 750_000, 1_550_000])
        XCTAssertTrue(zip(sentAt, sentAt.dropFirst()).allSatisfy { $1 - $0 <= timers.maxRequestBackoff })
        // The user hears once that it takes long.
        let warnings = c.takeEvents().filter { $0 == .noAnswerYet(.subscribe(videoStream)) }
        XCTAssertEqual(warnings.count, 1)
    }

    func testAlreadySubscribedAndUnsubscribe() {
        var c = subscribedClient(allOfTestProducer)
        XCTAssertTrue(c.sendSubscribe(allOfTestProducer, now: 1).isEmpty)
        XCTAssertTrue(c.sendSubscribe(videoStream, now: 1).isEmpty, "covered by the producer selector")
        XCTAssertEqual(c.takeEvents().count, 2)
        XCTAssertTrue(c.sendUnsubscribe(videoStream, now: 1).isEmpty, "held through the producer selector")
        XCTAssertEqual(c.takeEvents().first, .notSubscribed(videoStream, heldThrough: testProducer), "a refusal")
        let sent = c.sendUnsubscribe(allOfTestProducer, now: 2).compactMap { decoded($0) }
        XCTAssertEqual(sent.map(\.type), [.unsubscribe])
        XCTAssertFalse(c.isSubscribed(videoStream), "data stops at once")
        for d in chunks(1, firstSequence: 0) { _ = c.receive(d[...], now: 3) }
        XCTAssertEqual(c.ignoredData, 3)
        XCTAssertTrue(c.sendUnsubscribe(audioStream, now: 4).isEmpty)
        XCTAssertEqual(c.takeEvents().first, .notSubscribed(audioStream, heldThrough: nil), "not subscribed")
    }

    func testDataOfOtherStreamsIsIgnored() {
        var c = subscribedClient(videoStream)
        for d in chunks(1, firstSequence: 0, stream: audioStream) { _ = c.receive(d[...], now: 0) }
        XCTAssertEqual(c.ignoredData, 3)
        XCTAssertTrue(frames(c.takeEvents()).isEmpty)
        XCTAssertNil(c.stats[audioStream])
        _ = c.receive([0x56, 0x42, 1][...], now: 0)
        XCTAssertEqual(c.malformed, 1)
    }

    // MARK: Loss recovery

    func testGapsAreNackedWithTheSessionToken() throws {
        var c = subscribedClient(videoStream)
        let d = chunks(1, firstSequence: 10, size: 5000)  // 10...13
        _ = c.receive(d[0][...], now: 0)
        _ = c.receive(d[3][...], now: 0)
        XCTAssertEqual(c.deadline, timers.nackReorderDelay)
        let sent = c.poll(now: timers.nackReorderDelay).compactMap { decoded($0) }
        XCTAssertEqual(sent, [.nack(Nack(token: token, stream: videoStream, rttMicros: 0, ranges: [NackRange(start: 11, count: 2)]))])
        // The resent chunks complete the frame.
        for i in [2, 1] {
            var r = d[i]
            r[32] |= DataHeader.retransmitFlag
            _ = c.receive(r[...], now: 20_000)
        }
        XCTAssertEqual(frames(c.takeEvents()).map(\.number), [1])
        XCTAssertEqual(c.stats[videoStream]?.loss.recovered, 2)
    }

    func testAFrameThatCannotCompleteIsDroppedWholeAfterTheBudget() {
        var c = subscribedClient(videoStream)
        let one = chunks(1, firstSequence: 10)
        let two = chunks(2, firstSequence: 13)
        _ = c.receive(one[0][...], now: 0)  // frame 1 loses its other chunks for good
        for d in two { _ = c.receive(d[...], now: 1_000) }
        XCTAssertTrue(frames(c.takeEvents()).isEmpty)
        var got: [CompleteFrame] = []
        for now in stride(from: Int64(0), to: timers.latencyBudget, by: 1_000) {
            _ = c.poll(now: now)
            got += frames(c.takeEvents())
        }
        XCTAssertTrue(got.isEmpty, "frame 2 waits for frame 1 until its budget runs out")
        _ = c.poll(now: timers.latencyBudget)
        got += frames(c.takeEvents())
        XCTAssertEqual(got.map(\.number), [2])
        XCTAssertEqual(c.stats[videoStream]?.frames.dropped, 1)
    }

    func testALostChunkOfTheCachedFrameIsAskedFor() {
        var c = subscribedClient(videoStream)
        // The join cache's frame 5 (3 chunks, 1000...1002) arrives without its middle chunk.
        let cached = chunks(5, firstSequence: 1_000).map { d -> [UInt8] in
            var x = d
            x[32] |= DataHeader.cachedFlag
            return x
        }
        XCTAssertEqual(cached.count, 3)
        _ = c.receive(cached[0][...], now: 0)
        _ = c.receive(cached[2][...], now: 0)
        XCTAssertTrue(frames(c.takeEvents()).isEmpty)
        let asked = c.poll(now: timers.nackReorderDelay).compactMap { decoded($0) }.compactMap { m -> [NackRange]? in
            if case .nack(let n) = m { return n.ranges } else { return nil }
        }
        XCTAssertEqual(asked.flatMap { $0 }, [NackRange(start: 1_001, count: 1)])
        // The resend completes it well inside the latency budget, and live data follows without a gap.
        _ = c.receive(cached[1][...], now: 5_000)
        XCTAssertEqual(frames(c.takeEvents()).map(\.number), [5])
        for d in chunks(6, firstSequence: 1_003) { _ = c.receive(d[...], now: 6_000) }
        XCTAssertEqual(frames(c.takeEvents()).map(\.number), [6])
        XCTAssertEqual(c.stats[videoStream]?.loss.recovered, 1)
    }

    // MARK: Broker changes

    func testResubscribesByItselfAfterTheBrokerRestarts() {
        var c = subscribedClient(allOfTestProducer)
        _ = c.sendSubscribe(StreamID(producer: ProducerID(rawValue: 0x2B_BB77)!, index: 1), now: 0)  // pending, unanswered
        // The new broker answers the next heartbeat with a COOKIE: it does not know us.
        let beat = c.poll(now: 500_000).compactMap { decoded($0) }
        XCTAssertTrue(beat.contains { $0.type == .heartbeat })
        guard case .hello(let h)? = feed(&c, .cookie(nonce: c.link.token, token: 0xD00D), now: 510_000).first else { return XCTFail("no HELLO") }
        XCTAssertEqual(h.token, 0xD00D)
        guard case .hello(let h2)? = feed(&c, .cookie(nonce: h.nonce, token: 0xD00D, challenge: testChallenge), now: 515_000).first else {
            return XCTFail("no HELLO with the challenge")
        }
        let sent = feed(&c, .welcome(Welcome(nonce: h2.nonce, epoch: 2, heartbeatMillis: 500, leaseMisses: 6)), now: 520_000)
        XCTAssertEqual(c.takeEvents().first, .connected(fresh: true))
        let subscribes = sent.compactMap { if case .subscribe(let r) = $0 { r } else { nil } }
        XCTAssertEqual(subscribes.filter(\.isResume).map(\.selector), [allOfTestProducer], "what it held, with the resume flag")
        XCTAssertEqual(subscribes.filter { !$0.isResume }.count, 1, "the pending request, again")
        XCTAssertTrue(subscribes.allSatisfy { $0.token == 0xD00D })
        // The resumed subscription's ACK is silent: the user asked for nothing new.
        let resumed = subscribes.first { $0.isResume }!
        _ = feed(&c, .ack(Ack(requestID: resumed.requestID, selector: allOfTestProducer, status: .offline)), now: 530_000)
        XCTAssertTrue(c.takeEvents().isEmpty)
        XCTAssertTrue(c.isSubscribed(videoStream))
    }

    func testAnEpochChangeInAHeartbeatAckReconnects() {
        var c = subscribedClient(videoStream)
        let hello = feed(&c, .heartbeatAck(echoTime: 0, epoch: 2), now: 100_000)
        guard case .hello(let h)? = hello.first else { return XCTFail("no HELLO") }
        // A new attempt: the broker's COOKIE brings the challenge, then the WELCOME.
        guard case .hello(let h2)? = feed(&c, .cookie(nonce: h.nonce, token: token, challenge: testChallenge), now: 105_000).first else {
            return XCTFail("no HELLO with the challenge")
        }
        let sent = feed(&c, .welcome(Welcome(nonce: h2.nonce, epoch: 2, heartbeatMillis: 500, leaseMisses: 6)), now: 110_000)
        XCTAssertEqual(c.takeEvents(), [.connected(fresh: true)])
        XCTAssertEqual(sent.compactMap { if case .subscribe(let r) = $0 { r.selector } else { nil } }, [videoStream])
    }

    func testTheBrokerIsLostWhenSilentAndLeavingWhenItSaysSo() {
        var c = subscribedClient(videoStream)
        var now: Int64 = 0
        var events: [ClientEvent] = []
        while now < 4_000_000 {
            now += 100_000
            _ = c.poll(now: now)
            events += c.takeEvents()
        }
        XCTAssertTrue(events.contains(.brokerLost))
        XCTAssertTrue(c.isSubscribed(videoStream), "kept, to resume on reconnect")

        var d = subscribedClient(videoStream)
        _ = feed(&d, .bye(token: 0, reason: .shutdown), now: 1_000)
        XCTAssertEqual(d.takeEvents(), [.brokerLeaving])
        guard case .bye(let t, .quit)? = decoded(d.bye()) else { return XCTFail("not a BYE") }
        XCTAssertEqual(t, token)
    }

    func testAnOperatorsDisconnectIsReportedAndNotFollowedByAHello() {
        var c = subscribedClient(videoStream)
        _ = feed(&c, .bye(token: token ^ 1, reason: .disconnected), now: 1_000)
        XCTAssertEqual(c.takeEvents(), [], "not our token: ignored")
        _ = feed(&c, .bye(token: token, reason: .disconnected), now: 2_000)
        XCTAssertEqual(c.takeEvents(), [.disconnected])
        XCTAssertTrue(c.poll(now: 60_000_000).isEmpty, "no reconnect")
    }

    func testStreamStatusIsReportedForSubscribedStreamsOnly() {
        var c = subscribedClient(videoStream)
        _ = feed(&c, .streamStatus(StreamStatus(stream: videoStream, state: .offline, rateMilli: 0)), now: 0)
        _ = feed(&c, .streamStatus(StreamStatus(stream: audioStream, state: .offline, rateMilli: 0)), now: 0)
        XCTAssertEqual(c.takeEvents(), [.streamStatus(videoStream, .offline)])
        // Back online, the producer may number afresh: reception starts over instead of NACKing the jump.
        for d in chunks(1, firstSequence: 10) { _ = c.receive(d[...], now: 0) }
        _ = feed(&c, .streamStatus(StreamStatus(stream: videoStream, state: .online, rateMilli: 0)), now: 1_000)
        for d in chunks(1, firstSequence: 3_000_000_000) { _ = c.receive(d[...], now: 2_000) }
        XCTAssertEqual(frames(c.takeEvents()).map(\.number), [1, 1])
        XCTAssertTrue(c.poll(now: 50_000).isEmpty)
    }

    /// A producer that moved to another broker of the cluster goes on numbering: its stream comes back online at this
    /// client's broker (which may be any), and the frame its move cost is NACKed and delivered, not forgotten.
    func testAProducersMoveKeepsTheGapItCost() throws {
        var c = subscribedClient(videoStream)
        let first = chunks(1, firstSequence: 10)  // 10...12
        let lost = chunks(2, firstSequence: 13)  // 13...15, sent to the broker that died
        let after = chunks(3, firstSequence: 16)
        for d in first { _ = c.receive(d[...], now: 0) }
        _ = feed(&c, .streamStatus(StreamStatus(stream: videoStream, state: .online, rateMilli: 0)), now: 1_000)
        for d in after { _ = c.receive(d[...], now: 2_000) }
        let asked = c.poll(now: 2_000 + timers.nackReorderDelay).compactMap { decoded($0) }
        XCTAssertEqual(asked, [.nack(Nack(token: token, stream: videoStream, rttMicros: 0, ranges: [NackRange(start: 13, count: 3)]))])
        for var d in lost {
            d[32] |= DataHeader.retransmitFlag
            _ = c.receive(d[...], now: 5_000)
        }
        XCTAssertEqual(frames(c.takeEvents()).map(\.number), [1, 2, 3])
    }

    /// A stream cut off for longer than `outageSkip` (a peer link down and healed) comes back far ahead: the gap is
    /// given up at once, counted as dropped frames, instead of NACKed and waited for ahead of the live frames.
    func testAnOutageLongerThanTheSkipIsGivenUpNotRepaired() throws {
        var c = subscribedClient(videoStream)
        let start: UInt64 = 1_000_000_000
        for d in chunks(1, firstSequence: 10, capture: start) { _ = c.receive(d[...], now: 0) }  // 10...12
        // 45 frames (135 datagrams) later, 1.5 s on: the cut's frames are gone for good.
        for d in chunks(46, firstSequence: 148, capture: start + 1_500_000) { _ = c.receive(d[...], now: 1_500_000) }
        XCTAssertEqual(frames(c.takeEvents()).map(\.number), [1, 46], "the live frame at once")
        func nacks(_ sent: [[UInt8]]) -> [Nack] { sent.compactMap { if case .nack(let n)? = decoded($0) { n } else { nil } } }
        XCTAssertEqual(nacks(c.poll(now: 1_500_000 + timers.nackReorderDelay)), [], "no NACK for the cut")
        XCTAssertEqual(c.outagesSkipped, 1)
        XCTAssertEqual(c.stats[videoStream]?.frames.dropped, 44)
        // A slow stream's next frame, 2 s on, is no outage: a chunk lost of it is still asked for.
        let slow = chunks(47, firstSequence: 151, capture: start + 3_500_000)
        _ = c.receive(slow[0][...], now: 3_500_000)
        _ = c.receive(slow[2][...], now: 3_500_000)
        XCTAssertEqual(
            nacks(c.poll(now: 3_500_000 + timers.nackReorderDelay)),
            [Nack(token: token, stream: videoStream, rttMicros: 0, ranges: [NackRange(start: 152, count: 1)])])
        XCTAssertEqual(c.outagesSkipped, 1)
    }

    func testListRepliesAreCollectedAcrossPages() {
        var c = connectedClient()
        _ = c.sendList(now: 0)
        let entries = (0..<100).map { ListEntry(stream: StreamID(rawValue: 0x0100_0001 + UInt32($0)), state: .online, rateMilli: 1, subscribers: 0) }
        _ = feed(&c, .listReply(ListReply(requestID: 1, total: 100, first: 85, entries: Array(entries[85...]))), now: 1)
        XCTAssertTrue(c.takeEvents().isEmpty, "not all pages yet")
        _ = feed(&c, .listReply(ListReply(requestID: 1, total: 100, first: 0, entries: Array(entries[0..<85]))), now: 2)
        XCTAssertEqual(c.takeEvents(), [.list(entries)])
        // A late duplicate page of a finished list is ignored.
        _ = feed(&c, .listReply(ListReply(requestID: 1, total: 100, first: 0, entries: Array(entries[0..<85]))), now: 3)
        XCTAssertTrue(c.takeEvents().isEmpty)
    }
}
