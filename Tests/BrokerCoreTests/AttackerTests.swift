import SimulationSupport
import Wire
import XCTest

@testable import BrokerCore

/// What an off-path spoofer and an on-path observer can do at the broker (docs/SECURITY.md): the spoofer sends with
/// any source address but sees no answer; the observer sees every byte too, but holds no key.
final class AttackerTests: XCTestCase {
    let producer = address(4001)
    let client = address(4002)
    let observer = address(4666)
    let streams = [StreamDescriptor(index: 1, kind: .video, rateMilli: 30_000), StreamDescriptor(index: 2, kind: .audio, rateMilli: 50_000)]

    func subscribed() -> (BrokerHarness, token: UInt64) {
        var h = BrokerHarness()
        let token = h.connectProducer(producer)
        let t = h.connect(client, role: .client)
        _ = h.subscribe(client, token: t, videoStream)
        return (h, token)
    }

    /// One subscriber's NACK storm inside one turn (everything fed before the driver drains the outputs): the
    /// broker looks at no more than `maxNackSequencesPerTurn` of its sequence numbers, drops the rest of its NACKs
    /// unread and counts them, and the other subscriber's frames go out in the same turn; in the next turn the
    /// stormer gets a fresh allowance.
    func testANackStormIsBoundedPerTurnAndCostsOnlyItsSender() {
        var (h, _) = subscribed()
        let other = address(4003)
        let otherToken = h.connect(other, role: .client)
        _ = h.subscribe(other, token: otherToken, videoStream)
        let stormToken = h.broker.sessions[client]!.token
        let limits = h.broker.limits
        var sequence: UInt32 = 0
        for n in 1...20 {
            for d in frameDatagrams(UInt32(n), firstSequence: sequence, key: testMediaKey()) { _ = h.receive(d, from: producer) }
            sequence += 3
        }
        let before = h.broker.counters
        let storm = Message.nack(Nack(token: stormToken, stream: videoStream, rttMicros: 1, ranges: [NackRange(start: 0, count: 256)])).encode()
        var sent: [[UInt8]] = []
        for n in 21...30 {
            let d = frameDatagrams(UInt32(n), firstSequence: sequence, key: testMediaKey())
            sequence += UInt32(d.count)
            for x in d {
                for _ in 0..<100 { h.broker.handle(storm, from: client, now: h.now) }
                h.broker.handle(x, from: producer, now: h.now)
                sent.append(x)
            }
        }
        let out = h.broker.drainTransmits()
        let c = h.broker.counters
        let looked = (c.retransmitsOut + c.retransmitsThrottled + c.retransmitsUnavailable + c.retransmitsOverBudget)
            - (before.retransmitsOut + before.retransmitsThrottled + before.retransmitsUnavailable + before.retransmitsOverBudget)
        XCTAssertEqual(c.nacksIn - before.nacksIn, 3000)
        XCTAssertLessThanOrEqual(looked, limits.maxNackSequencesPerTurn, "3,000 NACKs of 256 sequence numbers in one turn")
        XCTAssertGreaterThan(looked, 0)
        XCTAssertEqual(c.nacksOverTurnBudget - before.nacksOverTurnBudget, 3000 - limits.maxNackSequencesPerTurn / 256)
        XCTAssertEqual(out.media(to: other), sent, "the other subscriber's frames go out in the same turn")
        // The next turn: the stormer's NACKs are looked at again (within its allowance).
        h.now += 1_000_000
        XCTAssertFalse(h.receive(storm, from: client).media(to: client).isEmpty)
        XCTAssertEqual(h.broker.counters.nacksOverTurnBudget, c.nacksOverTurnBudget)
    }

    func testReplayedDataOfTheSessionIsDroppedAsADuplicate() {
        var (h, _) = subscribed()
        let captured = frameDatagrams(1, firstSequence: 10, key: testMediaKey())
        var out: [BrokerOutput] = []
        for d in captured { out += h.receive(d, from: producer) }
        XCTAssertEqual(out.media(to: client).count, 3)
        // Replayed with the producer's source address, and replayed with the retransmit flag set (not covered by
        // the MAC): the MAC verifies, the sequence numbers give them away.
        out = []
        for d in captured { out += h.receive(d, from: producer) }
        for var d in captured {
            d[32] |= DataHeader.retransmitFlag
            out += h.receive(d, from: producer)
        }
        XCTAssertTrue(out.media(to: client).isEmpty, "no replayed datagram reaches a subscriber")
        XCTAssertEqual(h.broker.counters.duplicatesIn, 6)
        XCTAssertEqual(h.broker.counters.dataForged, 0)
        // Replayed from the observer's own address: not the owner.
        for d in captured { out += h.receive(d, from: observer) }
        XCTAssertTrue(out.media(to: client).isEmpty)
        XCTAssertEqual(h.broker.counters.refused[.notOwner], 3)
    }

    func testACapturedProducerHelloIsWorthNothingFromAnotherAddress() {
        var (h, token) = subscribed()
        let captured = Message.hello(
            Hello(token: token, nonce: 42, role: .producer, producer: testProducer, streams: streams).signed(streamKey: testStreamKey()))
        // Its token is the producer address's cookie: from the observer's address it draws a COOKIE, nothing else.
        let out = h.receive(captured, from: observer)
        XCTAssertEqual(out.messages(to: observer).map(\.type), [.cookie])
        XCTAssertNil(h.broker.sessions[observer])
        XCTAssertEqual(h.broker.streams[videoStream]?.owner, producer)
        // With the observer's own token the proof no longer matches: the token is part of what it signs.
        guard case .hello(var moved) = captured else { return XCTFail("not a HELLO") }
        moved.token = h.broker.cookie(for: observer)
        XCTAssertEqual(h.receive(.hello(moved), from: observer).messages(to: observer).map(\.type), [.error])
        XCTAssertEqual(h.broker.streams[videoStream]?.owner, producer)
        XCTAssertNil(h.broker.sessions[observer])
    }

    func testAProducerHelloWithAnyFieldChangedFailsItsProof() {
        var (h, token) = subscribed()
        let signed = Hello(token: token, nonce: 43, role: .producer, producer: testProducer, streams: streams).signed(streamKey: testStreamKey())
        var changes: [Hello] = []
        var c = signed
        c.streams = [streams[0]]  // announce fewer streams, to take one offline
        changes.append(c)
        c = signed
        c.streams[0].rateMilli = 1
        changes.append(c)
        c = signed
        c.nonce = 45  // another media key
        changes.append(c)
        for changed in changes {
            let out = h.receive(.hello(changed), from: producer)
            XCTAssertEqual(out.messages(to: producer).map(\.type), [.error])
            XCTAssertTrue(out.messages(to: client).isEmpty, "subscribers see no change")
        }
        XCTAssertEqual(h.broker.streams[audioStream]?.online, true)
        XCTAssertEqual(h.broker.streams[videoStream]?.rateMilli, 30_000)
        // The session's media key is still the one of nonce 42.
        var out: [BrokerOutput] = []
        for d in frameDatagrams(1, firstSequence: 0, key: testMediaKey()) { out += h.receive(d, from: producer) }
        XCTAssertEqual(out.media(to: client).count, 3)
    }

    func testASpoofedHelloWithAConnectedPeersAddressChangesNothing() {
        var (h, token) = subscribed()
        let guessed: [UInt64] = [0, 1, token ^ 2, 0x5EED]
        var spoofs: [(Message, PeerAddress)] = []
        for t in guessed {
            // As the client: a HELLO that would, with the right token, end its client session.
            spoofs.append((.hello(Hello(token: t, nonce: 7, role: .producer, producer: testProducer, streams: streams)), client))
            spoofs.append((.hello(Hello(token: t, nonce: 7, role: .client)), client))
            // As the producer: a client HELLO, or a producer HELLO that drops a stream (a wrong key, or none).
            spoofs.append((.hello(Hello(token: t, nonce: 9, role: .client)), producer))
            spoofs.append((.hello(Hello(token: t, nonce: 9, role: .producer, producer: testProducer, streams: [streams[0]])), producer))
        }
        for (m, victim) in spoofs {
            let out = h.receive(m, from: victim)
            XCTAssertEqual(out.messages(to: victim).map(\.type), [.cookie], "only a COOKIE, which the victim ignores (BrokerLinkTests)")
            XCTAssertTrue(out.messages(to: victim == client ? producer : client).isEmpty)
        }
        XCTAssertEqual(h.broker.sessions[client]?.role, .client)
        XCTAssertEqual(h.broker.sessions[client]?.selectors, [videoStream])
        XCTAssertEqual(h.broker.streams[videoStream]?.owner, producer)
        XCTAssertEqual(h.broker.streams[audioStream]?.online, true)
        var media: [BrokerOutput] = []
        for d in frameDatagrams(1, firstSequence: 0, key: testMediaKey()) { media += h.receive(d, from: producer) }
        XCTAssertEqual(media.media(to: client).count, 3, "the producer's session and media key stand")
    }
}
