import SimulationSupport
import Wire
import XCTest

@testable import BrokerCore

final class BrokerCoreTests: XCTestCase {
    let producer = address(4001)
    let client = address(4002)
    let otherProducerID = ProducerID(rawValue: 0x2B_BB77)!

    /// A frame's DATA datagrams, with the MAC of the session `BrokerHarness.connect` opens (nonce 42).
    func frame(_ number: UInt32, firstSequence: UInt32, size: Int = 3000, stream: StreamID = videoStream, nonce: UInt64 = 42) -> [[UInt8]] {
        frameDatagrams(number, firstSequence: firstSequence, size: size, stream: stream, key: testMediaKey(stream.producer, nonce: nonce))
    }

    /// A broker with the test producer (video and audio) and one client subscribed to `selector`.
    func brokerWithSubscriber(_ selector: StreamID, limits: Limits = Limits()) -> (BrokerHarness, UInt64) {
        var h = BrokerHarness(limits: limits)
        h.connectProducer(producer)
        let token = h.connect(client, role: .client)
        let ack = h.subscribe(client, token: token, selector, requestID: 1)
        XCTAssertEqual(ack.messages(to: client), [.ack(Ack(requestID: 1, selector: selector, status: .online))])
        return (h, token)
    }

    func statuses(_ out: [BrokerOutput], to: PeerAddress) -> [StreamStatus] {
        out.messages(to: to).compactMap { if case .streamStatus(let s) = $0 { s } else { nil } }
    }

    func errors(_ out: [BrokerOutput], to: PeerAddress) -> [ErrorReply] {
        out.messages(to: to).compactMap { if case .error(let e) = $0 { e } else { nil } }
    }

    // MARK: Address cookies

    func testHelloWithoutTheCookieGetsACookieAndCreatesNoSession() {
        var h = BrokerHarness()
        let hello = Message.hello(Hello(token: 0, nonce: 9, role: .client)).encode()
        let out = h.receive(hello, from: client)
        XCTAssertEqual(out.count, 1)
        guard case .send(let to, let reply)? = out.first else { return XCTFail("no answer") }
        XCTAssertEqual(to, client)
        XCTAssertLessThanOrEqual(reply.count, hello.count, "no amplification")
        XCTAssertEqual(decoded(reply), .cookie(nonce: 9, token: h.broker.cookie(for: client), challenge: h.broker.challenge(for: client, nonce: 9, now: h.now)))
        XCTAssertTrue(h.broker.sessions.isEmpty)
        XCTAssertEqual(h.broker.subscriberCount, 0)

        // The cookie of another address opens no session here.
        let foreign = h.broker.cookie(for: address(4999))
        XCTAssertNotEqual(foreign, h.broker.cookie(for: client))
        XCTAssertEqual(h.receive(.hello(Hello(token: foreign, nonce: 9, role: .client)), from: client).messages(to: client).map(\.type), [.cookie])
        XCTAssertTrue(h.broker.sessions.isEmpty)

        // A producer without the cookie registers no stream.
        let p = Message.hello(
            Hello(token: 0, nonce: 1, role: .producer, producer: testProducer, streams: [StreamDescriptor(index: 1, kind: .video, rateMilli: 1)]))
        XCTAssertEqual(h.receive(p, from: producer).messages(to: producer).map(\.type), [.cookie])
        XCTAssertTrue(h.broker.streams.isEmpty)
        XCTAssertEqual(h.broker.counters.cookiesSent, 3)
    }

    func testCookiesDependOnTheKeyAndTheAddress() {
        let a = BrokerCore(epoch: 1, cookieKey: (1, 2), publishSecret: testPublishSecret)
        let b = BrokerCore(epoch: 1, cookieKey: (1, 3), publishSecret: testPublishSecret)
        XCTAssertEqual(a.cookie(for: client), a.cookie(for: client))
        XCTAssertNotEqual(a.cookie(for: client), b.cookie(for: client))
        XCTAssertNotEqual(a.cookie(for: client), a.cookie(for: producer))
        XCTAssertNotEqual(a.cookie(for: client), 0, "0 means 'no cookie yet'")
    }

    func testNoMediaReachesAnAddressThatHasNotEchoedItsCookie() {
        var h = BrokerHarness()
        h.connectProducer(producer)
        let victim = address(6666)
        // A spoofer uses the victim's address: HELLO without the cookie, then requests with guessed tokens.
        let requests: [Message] = [
            .hello(Hello(token: 0, nonce: 1, role: .client)),
            .hello(Hello(token: 12_345, nonce: 1, role: .client)),
            .subscribe(SubscriptionRequest(token: 12_345, requestID: 1, selector: allOfTestProducer)),
            .subscribe(SubscriptionRequest(token: 0, requestID: 2, selector: videoStream, flags: SubscriptionRequest.resumeFlag)),
            .heartbeat(token: 0, sendTime: 0, rttMicros: 0),
            .nack(Nack(token: 0, stream: videoStream, rttMicros: 0, ranges: [NackRange(start: 0, count: .max)])),
            .listRequest(token: 0, requestID: 3),
            .unsubscribe(SubscriptionRequest(token: 0, requestID: 4, selector: videoStream)),
            .bye(token: 0, reason: .quit),
        ]
        for m in requests {
            let bytes = m.encode()
            for o in h.receive(bytes, from: victim) {
                guard case .send(let to, let reply) = o else {
                    XCTFail("\(m.type) from an unproven address caused \(o)")
                    continue
                }
                XCTAssertEqual(to, victim)
                XCTAssertLessThanOrEqual(reply.count, bytes.count, "\(m.type) answered with more bytes than it had")
                XCTAssertEqual(decoded(reply)?.type, .cookie, "\(m.type) answered with something else than a COOKIE")
                XCTAssertTrue([.hello, .subscribe, .heartbeat, .unsubscribe].contains(m.type), "\(m.type) without a session must get no answer")
            }
        }
        XCTAssertNil(h.broker.sessions[victim])
        // A legitimate subscriber gets the producer's frames; the victim nothing.
        let token = h.connect(client, role: .client)
        _ = h.subscribe(client, token: token, allOfTestProducer)
        var out: [BrokerOutput] = []
        for d in frame(1, firstSequence: 0) { out += h.receive(d, from: producer) }
        XCTAssertEqual(out.media(to: client).count, 3)
        XCTAssertFalse(out.destinations.contains(victim))
        XCTAssertGreaterThan(h.broker.counters.refused[.noSession], 0)
    }

    // MARK: Subscriptions

    func testSubscribedClientGetsItsStreamOnly() {
        var (h, _) = brokerWithSubscriber(videoStream)
        var out: [BrokerOutput] = []
        let video = frame(1, firstSequence: 100)
        for d in video { out += h.receive(d, from: producer) }
        for d in frame(1, firstSequence: 500, size: 200, stream: audioStream) { out += h.receive(d, from: producer) }
        XCTAssertEqual(out.media(to: client), video, "the same bytes, unchanged")
        for case .forward(let d, let key, let subs) in out where subs.contains(where: { $0.address == client }) {
            XCTAssertEqual(key, UInt64(videoStream.rawValue) << 32 | 1)
            XCTAssertEqual(subs.count, 1)
            XCTAssertEqual(header(d)?.stream, videoStream)
        }
        XCTAssertEqual(h.broker.streams[videoStream]?.datagramsForwarded, 3)
        XCTAssertEqual(h.broker.streams[audioStream]?.datagramsForwarded, 0)
    }

    func testSubscribingToAStreamNotKnownYetWaitsForItsProducer() {
        var h = BrokerHarness()
        h.connectProducer(producer)
        let token = h.connect(client, role: .client)
        let unknown = StreamID(producer: otherProducerID, index: 1)
        let allOfOther = StreamID(producer: otherProducerID, index: 0)
        // Following before the producer is online is accepted: ACK status waiting, held like any selector.
        XCTAssertEqual(
            h.subscribe(client, token: token, allOfOther, requestID: 5).messages(to: client),
            [.ack(Ack(requestID: 5, selector: allOfOther, status: .waiting))])
        XCTAssertEqual(
            h.subscribe(client, token: token, StreamID(producer: testProducer, index: 9), requestID: 7).messages(to: client),
            [.ack(Ack(requestID: 7, selector: StreamID(producer: testProducer, index: 9), status: .waiting))])
        XCTAssertEqual(
            errors(h.subscribe(client, token: token, StreamID(rawValue: 0x0000_0001), requestID: 8), to: client).map(\.code), [.badRequest])
        XCTAssertEqual(h.broker.sessions[client]?.selectors, [allOfOther, StreamID(producer: testProducer, index: 9)])
        XCTAssertEqual(h.broker.counters.errorsSent, 1)
        XCTAssertTrue(h.events.contains(.subscribedWaiting(client, allOfOther)))
        // When that producer appears, the waiting subscriber is told and served.
        let other = address(4005)
        let out = h.receive(
            .hello(
                Hello(
                    token: h.broker.cookie(for: other), nonce: 1, role: .producer, producer: otherProducerID,
                    streams: [StreamDescriptor(index: 1, kind: .video, rateMilli: 1)]
                ).signed(streamKey: testStreamKey(otherProducerID))),
            from: other)
        XCTAssertEqual(statuses(out, to: client), [StreamStatus(stream: unknown, state: .online, rateMilli: 1)])
        var media: [BrokerOutput] = []
        for d in frame(1, firstSequence: 0, stream: unknown, nonce: 1) { media += h.receive(d, from: other) }
        XCTAssertEqual(media.media(to: client).count, 3)
        // Unsubscribing is acknowledged with the state of what the selector matches (online now), and logged.
        XCTAssertEqual(
            h.receive(.unsubscribe(SubscriptionRequest(token: token, requestID: 10, selector: allOfOther)), from: client).messages(to: client),
            [.ack(Ack(requestID: 10, selector: allOfOther, status: .online))])
        XCTAssertEqual(h.events.last, .unsubscribed(client, allOfOther))
    }

    func testWaitingSubscriptionsAreBoundedPerClientButResumesAreNot() {
        var limits = Limits()
        limits.maxWaitingPerClient = 2
        var (h, token) = brokerWithSubscriber(videoStream, limits: limits)
        let ids = (1...4).map { StreamID(producer: ProducerID(rawValue: 0x30_0000 + UInt32($0))!, index: 0) }
        XCTAssertEqual(h.subscribe(client, token: token, ids[0], requestID: 2).messages(to: client).map(\.type), [.ack])
        XCTAssertEqual(h.subscribe(client, token: token, ids[1], requestID: 3).messages(to: client).map(\.type), [.ack])
        let refused = errors(h.subscribe(client, token: token, ids[2], requestID: 4), to: client)
        XCTAssertEqual(refused.map(\.code), [.limitReached])
        XCTAssertTrue(refused.first?.reason.contains("at most 2") == true, refused.first?.reason ?? "")
        // A known stream is not waiting: still accepted.
        XCTAssertEqual(h.subscribe(client, token: token, audioStream, requestID: 5).messages(to: client).map(\.type), [.ack])
        // After a broker restart a client resumes what it held, however many wait.
        XCTAssertEqual(
            h.subscribe(client, token: token, ids[3], requestID: 6, resume: true).messages(to: client),
            [.ack(Ack(requestID: 6, selector: ids[3], status: .waiting))])
        XCTAssertEqual(h.broker.sessions[client]?.selectors, [videoStream, audioStream, ids[0], ids[1], ids[3]])
    }

    func testSubscriptionLimitPerClient() {
        var limits = Limits()
        limits.maxSubscriptionsPerClient = 1
        var (h, token) = brokerWithSubscriber(videoStream, limits: limits)
        XCTAssertEqual(errors(h.subscribe(client, token: token, audioStream, requestID: 2), to: client).map(\.code), [.limitReached])
        // The same selector again is not a new subscription: answered, not refused.
        XCTAssertEqual(h.subscribe(client, token: token, videoStream, requestID: 3).messages(to: client).map(\.type), [.ack])
        XCTAssertEqual(h.broker.sessions[client]?.selectors, [videoStream])
    }

    func testSubscriberLimit() {
        var limits = Limits()
        limits.maxSubscribers = 1
        var h = BrokerHarness(limits: limits)
        let token = h.connect(client, role: .client)
        let second = address(4003)
        let out = h.receive(.hello(Hello(token: h.broker.cookie(for: second), nonce: 3, role: .client)), from: second)
        XCTAssertEqual(errors(out, to: second).map(\.code), [.limitReached])
        XCTAssertFalse(out.messages(to: second).contains { $0.type == .welcome })
        XCTAssertNil(h.broker.sessions[second])
        // Room again once the first leaves.
        _ = h.receive(.bye(token: token, reason: .quit), from: client)
        h.connect(second, role: .client)
        XCTAssertEqual(h.broker.subscriberCount, 1)
    }

    func testProducerLimit() {
        var limits = Limits()
        limits.maxProducers = 1
        var h = BrokerHarness(limits: limits)
        h.connectProducer(producer)
        let second = address(4003)
        let out = h.receive(
            .hello(
                Hello(
                    token: h.broker.cookie(for: second), nonce: 3, role: .producer, producer: otherProducerID,
                    streams: [StreamDescriptor(index: 1, kind: .video, rateMilli: 1)]
                ).signed(streamKey: testStreamKey(otherProducerID))),
            from: second)
        XCTAssertEqual(errors(out, to: second).map(\.code), [.limitReached])
        XCTAssertNil(h.broker.sessions[second])
        XCTAssertNil(h.broker.streams[StreamID(producer: otherProducerID, index: 1)])
        XCTAssertEqual(h.broker.producerCount, 1)
    }

    func testStreamLimitForgetsTheLongestOfflineStreamFirst() {
        var limits = Limits()
        limits.maxStreams = 2
        var h = BrokerHarness(limits: limits)
        let token = h.connectProducer(producer)
        XCTAssertEqual(h.broker.streams.count, 2)
        let second = address(4003)
        let hello = Message.hello(
            Hello(
                token: h.broker.cookie(for: second), nonce: 3, role: .producer, producer: otherProducerID,
                streams: [StreamDescriptor(index: 1, kind: .video, rateMilli: 1)]
            ).signed(streamKey: testStreamKey(otherProducerID)))
        _ = h.receive(hello, from: second)
        XCTAssertNil(h.broker.streams[StreamID(producer: otherProducerID, index: 1)], "the table is full of online streams")
        XCTAssertTrue(h.events.contains { if case .streamRefused = $0 { true } else { false } }, "the refusal is reported")
        // The first producer leaves: its streams go offline and may make room.
        _ = h.receive(.bye(token: token, reason: .quit), from: producer)
        _ = h.receive(hello, from: second)
        XCTAssertEqual(h.broker.streams[StreamID(producer: otherProducerID, index: 1)]?.online, true)
        XCTAssertEqual(h.broker.streams.count, 2)
    }

    func testAfterUnsubscribeNoMoreDataIsForwarded() {
        var (h, token) = brokerWithSubscriber(allOfTestProducer)
        var out: [BrokerOutput] = []
        for d in frame(1, firstSequence: 100) { out += h.receive(d, from: producer) }
        XCTAssertEqual(out.media(to: client).count, 3)
        // Held through the producer selector: one of its streams cannot be dropped alone.
        let partial = h.receive(.unsubscribe(SubscriptionRequest(token: token, requestID: 2, selector: videoStream)), from: client)
        XCTAssertEqual(errors(partial, to: client).map(\.code), [.notSubscribed])
        let ack = h.receive(.unsubscribe(SubscriptionRequest(token: token, requestID: 3, selector: allOfTestProducer)), from: client)
        XCTAssertEqual(ack.messages(to: client), [.ack(Ack(requestID: 3, selector: allOfTestProducer, status: .online))])
        out = []
        for d in frame(2, firstSequence: 103) { out += h.receive(d, from: producer) }
        for d in frame(1, firstSequence: 500, stream: audioStream) { out += h.receive(d, from: producer) }
        XCTAssertTrue(out.media(to: client).isEmpty)
        XCTAssertTrue(h.broker.streams[videoStream]?.subscribers.isEmpty ?? false)
        // Its NACKs are no longer answered either, and unsubscribing again is harmless.
        let nack = h.receive(.nack(Nack(token: token, stream: videoStream, rttMicros: 0, ranges: [NackRange(start: 100, count: 6)])), from: client)
        XCTAssertTrue(nack.isEmpty)
        XCTAssertEqual(
            h.receive(.unsubscribe(SubscriptionRequest(token: token, requestID: 4, selector: allOfTestProducer)), from: client).messages(to: client)
                .map(\.type), [.ack])
    }

    func testUnsubscribingOneStream() {
        var (h, token) = brokerWithSubscriber(videoStream)
        _ = h.subscribe(client, token: token, audioStream, requestID: 2)
        _ = h.receive(.unsubscribe(SubscriptionRequest(token: token, requestID: 3, selector: videoStream)), from: client)
        var out: [BrokerOutput] = []
        for d in frame(1, firstSequence: 100) { out += h.receive(d, from: producer) }
        let audio = frame(1, firstSequence: 500, stream: audioStream)
        for d in audio { out += h.receive(d, from: producer) }
        XCTAssertEqual(out.media(to: client), audio)
    }

    // MARK: Leases

    func testLeaseExpiryDropsTheProducerAndTellsItsSubscribers() {
        var (h, token) = brokerWithSubscriber(allOfTestProducer)
        // The client keeps its lease with heartbeats; the producer falls silent.
        var offline: [StreamStatus] = []
        for _ in 0..<14 {
            var out = h.advance(by: 250_000)
            out += h.receive(.heartbeat(token: token, sendTime: 0, rttMicros: 0), from: client)
            offline += statuses(out, to: client)
        }
        XCTAssertNil(h.broker.sessions[producer])
        XCTAssertNotNil(h.broker.sessions[client])
        XCTAssertEqual(h.broker.counters.leasesExpired, 1)
        XCTAssertEqual(Set(offline.map(\.stream)), [videoStream, audioStream])
        XCTAssertTrue(offline.allSatisfy { $0.state == .offline })
        XCTAssertEqual(offline.count, 2)
        XCTAssertEqual(h.broker.streams[videoStream]?.online, false)
        XCTAssertEqual(h.broker.producerCount, 0)

        // Its media is refused while it has no session.
        var out: [BrokerOutput] = []
        for d in frame(1, firstSequence: 100) { out += h.receive(d, from: producer) }
        XCTAssertTrue(out.isEmpty)
        XCTAssertEqual(h.broker.counters.refused[.notOwner], 3)

        // It comes back: subscribers hear so, and media flows to them again (the subscription survived).
        let hello = h.receive(
            .hello(
                Hello(
                    token: h.broker.cookie(for: producer), nonce: 5, role: .producer, producer: testProducer,
                    streams: [
                        StreamDescriptor(index: 1, kind: .video, rateMilli: 30_000), StreamDescriptor(index: 2, kind: .audio, rateMilli: 50_000),
                    ]
                ).signed(streamKey: testStreamKey())),
            from: producer)
        let online = statuses(hello, to: client)
        XCTAssertEqual(Set(online.map(\.stream)), [videoStream, audioStream])
        XCTAssertTrue(online.allSatisfy { $0.state == .online })
        out = []
        for d in frame(1, firstSequence: 7_000_000, nonce: 5) { out += h.receive(d, from: producer) }
        XCTAssertEqual(out.media(to: client).count, 3)
    }

    func testLeaseExpiryOfAClientReleasesItsQueueAndSubscriptions() {
        var (h, _) = brokerWithSubscriber(videoStream)
        let producerToken = h.broker.cookie(for: producer)
        var out: [BrokerOutput] = []
        for _ in 0..<14 {
            out += h.advance(by: 250_000)
            out += h.receive(.heartbeat(token: producerToken, sendTime: 0, rttMicros: 0), from: producer)
        }
        XCTAssertNil(h.broker.sessions[client])
        XCTAssertTrue(out.contains { if case .release(slot: 0) = $0 { true } else { false } })
        XCTAssertEqual(h.broker.subscriberCount, 0)
        XCTAssertTrue(h.broker.streams[videoStream]?.subscribers.isEmpty ?? false)
        out = []
        for d in frame(1, firstSequence: 100) { out += h.receive(d, from: producer) }
        XCTAssertTrue(out.isEmpty)
        // A heartbeat from the forgotten client is answered with a COOKIE that echoes the heartbeat's token (so
        // the client knows it answers its own request), and it can reconnect.
        XCTAssertEqual(
            h.receive(.heartbeat(token: 0x7777, sendTime: 0, rttMicros: 0), from: client).messages(to: client),
            [.cookie(nonce: 0x7777, token: h.broker.cookie(for: client))])
    }

    func testMediaKeepsTheProducersLeaseAlive() {
        var (h, _) = brokerWithSubscriber(videoStream)
        var sequence: UInt32 = 0
        for n in UInt32(1)...20 {
            _ = h.advance(by: 250_000)
            for d in frame(n, firstSequence: sequence) { _ = h.receive(d, from: producer) }
            sequence += 3
        }
        XCTAssertNotNil(h.broker.sessions[producer])
        XCTAssertEqual(h.broker.counters.leasesExpired, 1, "only the silent client")
    }

    func testByeEndsASessionAndShutdownSaysGoodbyeToAll() {
        var (h, token) = brokerWithSubscriber(videoStream)
        XCTAssertTrue(h.receive(.bye(token: token &+ 1, reason: .quit), from: client).isEmpty, "a BYE with the wrong token")
        XCTAssertNotNil(h.broker.sessions[client])
        let out = h.receive(.bye(token: token, reason: .quit), from: client)
        XCTAssertNil(h.broker.sessions[client])
        XCTAssertTrue(out.contains { if case .release = $0 { true } else { false } })
        h.connect(client, role: .client, nonce: 43)  // a new attempt has a new nonce: the ended session's is retired
        h.broker.shutdown(now: 1_000_000)
        let byes = h.broker.drainTransmits()
        XCTAssertEqual(byes.destinations, [producer, client])
        XCTAssertTrue(byes.allSatisfy { if case .send(_, let b) = $0 { decoded(b)?.type == .bye } else { false } })
        // Told again, in case the first was lost: twice, 20 ms apart, then no more.
        func byesAt(_ at: Int64) -> Set<PeerAddress> {
            XCTAssertLessThanOrEqual(h.broker.pollTimeout(), at)
            h.broker.handleTimeout(now: at)
            return h.broker.drainTransmits().filter { if case .send(_, let b) = $0 { decoded(b)?.type == .bye } else { false } }.destinations
        }
        XCTAssertEqual(byesAt(1_020_000), [producer, client])
        XCTAssertEqual(byesAt(1_040_000), [producer, client])
        h.broker.handleTimeout(now: 1_100_000)
        XCTAssertTrue(h.broker.drainTransmits().allSatisfy { if case .send(_, let b) = $0 { decoded(b)?.type != .bye } else { true } })
    }

    func testAProducerMovingToANewAddressWins() {
        var (h, _) = brokerWithSubscriber(videoStream)
        let moved = address(4100)
        let out = h.receive(
            .hello(
                Hello(
                    token: h.broker.cookie(for: moved), nonce: 1, role: .producer, producer: testProducer,
                    streams: [StreamDescriptor(index: 1, kind: .video, rateMilli: 30_000)]
                ).signed(streamKey: testStreamKey())),
            from: moved)
        XCTAssertEqual(statuses(out, to: client).map(\.state), [.offline, .online])
        XCTAssertNil(h.broker.sessions[producer])
        XCTAssertEqual(h.broker.streams[videoStream]?.owner, moved)
        XCTAssertEqual(h.broker.streams[audioStream]?.online, false, "not announced by the new session")
        var media: [BrokerOutput] = []
        for d in frame(1, firstSequence: 0) { media += h.receive(d, from: producer) }
        XCTAssertTrue(media.isEmpty, "the old address no longer owns the stream")
        for d in frame(1, firstSequence: 0, nonce: 1) { media += h.receive(d, from: moved) }
        XCTAssertEqual(media.media(to: client).count, 3)
    }

    // MARK: Data path

    func testDuplicateForeignAndMalformedDataIsNotForwarded() {
        var (h, _) = brokerWithSubscriber(videoStream)
        let d = frame(1, firstSequence: 100)
        XCTAssertEqual(h.receive(d[0], from: producer).media(to: client).count, 1)
        XCTAssertTrue(h.receive(d[0], from: producer).isEmpty, "a duplicate")
        XCTAssertEqual(h.broker.counters.duplicatesIn, 1)
        XCTAssertTrue(h.receive(d[1], from: address(4444)).isEmpty, "not from the stream's owner")
        XCTAssertEqual(h.broker.counters.refused[.notOwner], 1)
        XCTAssertTrue(h.receive(frame(1, firstSequence: 0, stream: StreamID(producer: otherProducerID, index: 1))[0], from: producer).isEmpty)
        XCTAssertEqual(h.broker.counters.refused[.unknownStream], 1)
        var bad = d[1]
        bad[23] = 99  // chunk_count
        XCTAssertTrue(h.receive(bad, from: producer).isEmpty)
        XCTAssertTrue(h.receive(Array(d[1].prefix(50)), from: producer).isEmpty)
        XCTAssertEqual(h.broker.counters.malformed[.badField], 1)
        XCTAssertEqual(h.broker.counters.malformed[.badLength], 1)
        // The real chunk still goes through.
        XCTAssertEqual(h.receive(d[1], from: producer).media(to: client), [d[1]])
    }

    func testGapsFromTheProducerAreNacked() {
        var (h, _) = brokerWithSubscriber(videoStream)
        _ = h.advance(by: 0)
        let d = frame(1, firstSequence: 100, size: 5000)  // 100...103
        _ = h.receive(d[0], from: producer)
        _ = h.receive(d[2], from: producer)
        XCTAssertEqual(h.broker.pollTimeout(), h.now + Timers().nackReorderDelay)
        let nack = h.advance(by: Timers().nackReorderDelay).messages(to: producer)
        XCTAssertEqual(nack, [.nack(Nack(token: 0, stream: videoStream, rttMicros: 0, ranges: [NackRange(start: 101, count: 1)]))])
        // The frame's last chunk never comes and nothing follows: asked for once the stream is quiet.
        let tail = h.advance(by: Timers().initialRTT).messages(to: producer)
        XCTAssertTrue(
            tail.contains(
                .nack(Nack(token: 0, stream: videoStream, rttMicros: 0, ranges: [NackRange(start: 101, count: 1), NackRange(start: 103, count: 1)]))),
            "\(tail)")
        XCTAssertEqual(h.broker.counters.nacksOut, 2)
        // A recovered datagram is forwarded like any other.
        var resent = d[1]
        resent[32] |= DataHeader.retransmitFlag
        XCTAssertEqual(h.receive(resent, from: producer).media(to: client), [resent])
    }

    func testClientNacksAreAnsweredFromTheBufferAndThrottled() throws {
        var (h, token) = brokerWithSubscriber(videoStream)
        let d = frame(1, firstSequence: 100)
        for x in d { _ = h.receive(x, from: producer) }
        func nack(_ ranges: [NackRange], stream: StreamID = videoStream, token t: UInt64? = nil) -> [BrokerOutput] {
            h.receive(.nack(Nack(token: t ?? token, stream: stream, rttMicros: 10_000, ranges: ranges)), from: client)
        }
        let out = nack([NackRange(start: 100, count: 3)])
        XCTAssertEqual(out.count, 3)
        for (i, o) in out.enumerated() {
            guard case .unicast(let bytes, let key, let sub) = o else { return XCTFail("not a unicast: \(o)") }
            XCTAssertEqual(sub.address, client)
            XCTAssertEqual(key, UInt64(videoStream.rawValue) << 32 | 1)
            var expected = d[i]
            expected[32] |= DataHeader.retransmitFlag
            XCTAssertEqual(bytes, expected)
        }
        XCTAssertTrue(nack([NackRange(start: 100, count: 3)]).isEmpty, "asked again within the RTT")
        XCTAssertEqual(h.broker.counters.retransmitsThrottled, 3)
        h.now += 10_000
        XCTAssertEqual(nack([NackRange(start: 101, count: 1)]).count, 1)
        XCTAssertTrue(nack([NackRange(start: 5_000, count: 2)]).isEmpty, "never held")
        XCTAssertEqual(h.broker.counters.retransmitsUnavailable, 2)
        XCTAssertTrue(nack([NackRange(start: 100, count: 1)], stream: audioStream).isEmpty, "not subscribed to it")
        XCTAssertTrue(nack([NackRange(start: 100, count: 1)], token: token &+ 1).isEmpty, "wrong token")
        XCTAssertEqual(h.broker.counters.refused[.badToken], 1)
        XCTAssertEqual(h.broker.counters.retransmitsOut, 4)
        // A huge range costs a bounded amount of work.
        XCTAssertLessThanOrEqual(nack(Array(repeating: NackRange(start: 0, count: .max), count: 64)).count, 1024)
    }

    func testANewSubscriberGetsTheLastCompleteFrameAtOnce() throws {
        var h = BrokerHarness()
        h.connectProducer(producer)
        let one = frame(1, firstSequence: 100)
        let two = frame(2, firstSequence: 103)
        for d in one { _ = h.receive(d, from: producer) }
        _ = h.receive(two[0], from: producer)  // frame 2 is not complete yet
        let token = h.connect(client, role: .client)
        let out = h.subscribe(client, token: token, allOfTestProducer)
        guard case .send(_, let first)? = out.first, decoded(first)?.type == .ack else { return XCTFail("the ACK comes first") }
        let cached = out.media(to: client)
        XCTAssertEqual(cached.count, 3)
        for (c, original) in zip(cached, one) {
            XCTAssertEqual(header(c)?.flags, DataHeader.cachedFlag)
            XCTAssertEqual(c[33...], original[33...])
            XCTAssertEqual(c[0..<32], original[0..<32])
        }
        XCTAssertEqual(h.broker.counters.cachedFramesSent, 1, "audio has no complete frame yet")
        // Asking again for what it holds sends no second copy.
        XCTAssertTrue(h.subscribe(client, token: token, allOfTestProducer, requestID: 2).media(to: client).isEmpty)
    }

    func testListRepliesArePaged() {
        var h = BrokerHarness()
        for p in 0..<6 {
            let pid = ProducerID(rawValue: 0x10_0000 + UInt32(p))!
            let streams = (1...16).map { StreamDescriptor(index: UInt8($0), kind: .video, rateMilli: UInt32($0)) }
            h.connect(address(4500 + UInt16(p)), role: .producer, producer: pid, streams: streams)
        }
        let token = h.connect(client, role: .client)
        _ = h.subscribe(client, token: token, StreamID(producer: ProducerID(rawValue: 0x10_0000)!, index: 3))
        let pages = h.receive(.listRequest(token: token, requestID: 9), from: client).messages(to: client).compactMap {
            if case .listReply(let l) = $0 { l } else { nil }
        }
        XCTAssertEqual(pages.map(\.entries.count), [85, 11])
        XCTAssertEqual(pages.map(\.first), [0, 85])
        XCTAssertTrue(pages.allSatisfy { $0.total == 96 && $0.requestID == 9 })
        let all = pages.flatMap(\.entries)
        XCTAssertEqual(all.map(\.stream), all.map(\.stream).sorted())
        XCTAssertEqual(all.filter { $0.subscribers == 1 }.map(\.stream.rawValue), [0x1000_0003])
        XCTAssertTrue(all.allSatisfy { $0.state == .online })
        // An empty broker still answers, with one empty page.
        var empty = BrokerHarness()
        let t = empty.connect(client, role: .client)
        XCTAssertEqual(
            empty.receive(.listRequest(token: t, requestID: 1), from: client).messages(to: client),
            [.listReply(ListReply(requestID: 1, total: 0, first: 0, entries: []))])
    }

    func testUnexpectedMessagesAreRefused() {
        var h = BrokerHarness()
        for m: Message in [
            .cookie(nonce: 1, token: 2), .ack(Ack(requestID: 1, selector: videoStream, status: .online)),
            .streamStatus(StreamStatus(stream: videoStream, state: .online, rateMilli: 1)),
        ] {
            XCTAssertTrue(h.receive(m, from: client).isEmpty)
        }
        XCTAssertEqual(h.broker.counters.refused[.unexpectedType], 3)
        XCTAssertTrue(h.receive([0x56, 0x42, 9, 1], from: client).isEmpty)
        XCTAssertEqual(h.broker.counters.malformed[.badVersion], 1)
    }

    // MARK: Restart

    /// The broker is replaced by a new `BrokerCore` that knows nothing (new epoch, new cookie key). The clients
    /// and the producer notice, reconnect, and the clients subscribe again by themselves.
    func testClientsResubscribeByThemselvesAfterABrokerRestart() {
        for loss in [0.0, 0.10] {
            let sim = Simulation(
                conditions: InMemoryNetwork.Conditions(loss: loss, duplication: 0.01), seed: 0xBEEF, media: Simulation.standardMedia,
                mediaUntil: 12_000_000)
            sim.addClient(selector: allOfTestProducer, startAt: 100_000)
            sim.addClient(selector: videoStream, startAt: 200_000)
            sim.run(until: 4_000_000)
            for c in sim.clients { XCTAssertGreaterThan(c.frames.count, 80, "media flows before the restart") }
            let restart = sim.now
            sim.restartBroker(epoch: 2)
            sim.run(until: 11_500_000)

            for (i, c) in sim.clients.enumerated() {
                XCTAssertEqual(c.connections.map(\.fresh), [true, true], "loss \(loss): client \(i) connected again")
                XCTAssertEqual(
                    sim.broker.sessions[c.address]?.selectors, [c.selector], "loss \(loss): client \(i) holds its subscription at the new broker")
                let reconnected = c.connections[1].time
                XCTAssertLessThan(reconnected - restart, 1_000_000, "within a heartbeat or two")
                // Every frame sent from a second after the restart arrives, intact and in order.
                let window = (restart + 1_000_000)..<11_000_000
                for stream in [videoStream, audioStream] where c.selector.covers(stream) {
                    let (delivered, expected) = sim.deliveredRatio(client: i, stream: stream, window: window)
                    XCTAssertEqual(delivered, expected, "loss \(loss): client \(i) \(stream) after the restart")
                    let numbers = c.frames.filter { $0.stream == stream }.map(\.number)
                    XCTAssertTrue(zip(numbers, numbers.dropFirst()).allSatisfy { Serial.less($0, $1) })
                }
                XCTAssertTrue(c.frames.allSatisfy(\.intact))
            }
            XCTAssertEqual(sim.producerEvents.map(\.event), [.connected(epoch: 1, fresh: true), .connected(epoch: 2, fresh: true)])
            XCTAssertEqual(sim.broker.streams[videoStream]?.online, true)
        }
    }
}
