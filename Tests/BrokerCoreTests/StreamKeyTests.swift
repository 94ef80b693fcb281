import SimulationSupport
import Wire
import XCTest

@testable import BrokerCore

/// Stream keys and authenticated media at the broker (docs/SECURITY.md): nobody takes over a producer id without
/// its key, and nobody injects DATA into a stream without the session's media key.
final class StreamKeyTests: XCTestCase {
    let producer = address(4001)
    let client = address(4002)
    let attacker = address(4666)
    let video = [StreamDescriptor(index: 1, kind: .video, rateMilli: 30_000)]

    func subscribed() -> BrokerHarness {
        var h = BrokerHarness()
        h.connectProducer(producer)
        let token = h.connect(client, role: .client)
        _ = h.subscribe(client, token: token, videoStream)
        return h
    }

    func hello(from: PeerAddress, key: [UInt8]?, h: BrokerHarness, nonce: UInt64 = 77) -> Message {
        let plain = Hello(token: h.broker.cookie(for: from), nonce: nonce, role: .producer, producer: testProducer, streams: video)
        return .hello(key.map { plain.signed(streamKey: $0) } ?? plain)
    }

    func testAHelloWithAWrongKeyIsRefusedAndTheOwnerKeepsItsStream() {
        var h = subscribed()
        let wrongKeys: [[UInt8]?] = [nil, [UInt8](repeating: 0, count: 16), testStreamKey(ProducerID(rawValue: 0x2B_BB77)!),
            StreamKeys.streamKey(secret: Array("another cluster's secret!".utf8), producer: testProducer)]
        for (i, key) in wrongKeys.enumerated() {
            let out = h.receive(hello(from: attacker, key: key, h: h, nonce: 77 + 2 * UInt64(i)), from: attacker)
            XCTAssertEqual(
                out.messages(to: attacker), [.error(ErrorReply(requestID: 0, code: .notAuthorized, reason: "wrong stream key for producer 1AAA99"))])
            XCTAssertTrue(out.messages(to: client).isEmpty, "subscribers see no change")
        }
        XCTAssertEqual(h.broker.streams[videoStream]?.owner, producer)
        XCTAssertNil(h.broker.sessions[attacker])
        XCTAssertEqual(h.broker.counters.refused[.badStreamKey], 4)
        XCTAssertEqual(h.events.filter { if case .producerUnauthorized = $0 { true } else { false } }.count, 1, "reported once")
        // The genuine producer's media still flows.
        var media: [BrokerOutput] = []
        for d in frameDatagrams(1, firstSequence: 0, key: testMediaKey()) { media += h.receive(d, from: producer) }
        XCTAssertEqual(media.media(to: client).count, 3)
    }

    func testAWrongKeyDoesNotEvenEndASessionOfAnotherRoleAtThatAddress() {
        var h = subscribed()
        _ = h.receive(hello(from: client, key: nil, h: h), from: client)
        XCTAssertEqual(h.broker.sessions[client]?.role, .client, "the client's session and subscriptions stand")
        XCTAssertEqual(h.broker.sessions[client]?.selectors, [videoStream])
    }

    func testTheKeyHolderOnANewPortTakesTheIdBack() {
        var h = subscribed()
        let restarted = address(4100)
        let out = h.receive(hello(from: restarted, key: testStreamKey(), h: h, nonce: 99), from: restarted)
        XCTAssertTrue(out.messages(to: restarted).contains { $0.type == .welcome })
        XCTAssertEqual(h.broker.streams[videoStream]?.owner, restarted)
        XCTAssertNil(h.broker.sessions[producer], "the older session ends")
        // Its media, under the new session's key, flows; the old session's key no longer does.
        var media: [BrokerOutput] = []
        for d in frameDatagrams(1, firstSequence: 500, key: testMediaKey()) { media += h.receive(d, from: restarted) }
        XCTAssertTrue(media.media(to: client).isEmpty)
        XCTAssertEqual(h.broker.counters.dataForged, 3)
        for d in frameDatagrams(1, firstSequence: 500, key: testMediaKey(nonce: 99)) { media += h.receive(d, from: restarted) }
        XCTAssertEqual(media.media(to: client).count, 3)
    }

    func testForgedDataFromTheOwnersAddressIsDroppedAndCounted() {
        var h = subscribed()
        let good = testMediaKey()
        // What an off-path spoofer can send with the producer's source address: no MAC, or a guessed one.
        var forged = frameDatagrams(1, firstSequence: 0)
        forged[1] = frameDatagrams(1, firstSequence: 0, key: testMediaKey(nonce: 43))[1]
        // A genuine datagram with its payload changed.
        var altered = frameDatagrams(1, firstSequence: 0, key: good)[2]
        altered[altered.count - 1] ^= 1
        forged.append(altered)
        var out: [BrokerOutput] = []
        for d in forged { out += h.receive(d, from: producer) }
        XCTAssertTrue(out.media(to: client).isEmpty)
        XCTAssertEqual(h.broker.counters.dataForged, 4)
        XCTAssertEqual(h.broker.streams[videoStream]?.datagramsIn, 0, "a forgery touches no stream state")
        // The genuine datagrams with the same numbers still go through (the forgeries took no sequence number).
        for d in frameDatagrams(1, firstSequence: 0, key: good) { out += h.receive(d, from: producer) }
        XCTAssertEqual(out.media(to: client).count, 3)
    }

    func testASubscriberCannotInjectData() {
        var h = subscribed()
        // A subscriber sees the stream's DATA (with a valid MAC) but sending it, or anything else, from its own
        // address is refused: it does not own the stream.
        var out: [BrokerOutput] = []
        for d in frameDatagrams(1, firstSequence: 0, key: testMediaKey()) { out += h.receive(d, from: client) }
        XCTAssertTrue(out.media(to: client).isEmpty)
        XCTAssertEqual(h.broker.counters.refused[.notOwner], 3)
    }

    /// An on-path attacker replays a HELLO of an earlier session from the producer's own address (it has the
    /// address's cookie): the broker takes it as a new nonce, but the genuine DATA still verifies (under the
    /// previous key, put back in front) and flows.
    func testAReplayedEarlierHelloFromTheProducersAddressDoesNotBlackItOut() {
        var h = subscribed()
        let replay = hello(from: producer, key: testStreamKey(), h: h, nonce: 41)
        XCTAssertTrue(h.receive(replay, from: producer).messages(to: producer).contains { $0.type == .welcome })
        let genuine = testMediaKey()
        var out: [BrokerOutput] = []
        for n in 1...3 as ClosedRange<UInt32> {
            for d in frameDatagrams(n, firstSequence: 3 * (n - 1), key: genuine) { out += h.receive(d, from: producer) }
            _ = h.receive(replay, from: producer)  // again and again between frames
        }
        XCTAssertEqual(out.media(to: client).count, 9, "every genuine datagram went through")
        XCTAssertEqual(h.broker.counters.dataForged, 0)
    }

    /// DATA of this session replayed long after (beyond the duplicate window) is not forwarded again.
    func testDataReplayedFarBehindIsNotForwardedAgain() {
        var h = subscribed()
        let key = testMediaKey()
        let old = frameDatagrams(1, firstSequence: 0, key: key)
        var out: [BrokerOutput] = []
        for d in old { out += h.receive(d, from: producer) }
        // The stream moves on by 5,000 and 20,000 datagrams (frames sent meanwhile, not needed here).
        for (n, seq) in [(2, 5_000), (3, 20_000)] as [(UInt32, UInt32)] {
            for d in frameDatagrams(n, firstSequence: seq, key: key) { out += h.receive(d, from: producer) }
        }
        XCTAssertEqual(out.media(to: client).count, 9)
        out = []
        for d in old { out += h.receive(d, from: producer) }
        XCTAssertTrue(out.media(to: client).isEmpty, "a replay from far behind is dropped")
        XCTAssertEqual(h.broker.streams[videoStream]?.lossCounters.stale, 3)
        for d in frameDatagrams(4, firstSequence: 20_003, key: key) { out += h.receive(d, from: producer) }
        XCTAssertEqual(out.media(to: client).count, 3, "and the stream goes on")
    }

    func testABrokerWithAnotherSecretRefusesTheProducer() {
        var h = BrokerHarness()
        h.broker = BrokerCore(epoch: 1, cookieKey: (1, 2), publishSecret: Array("a different publish secret".utf8))
        let out = h.receive(hello(from: producer, key: testStreamKey(), h: h), from: producer)
        XCTAssertEqual(out.messages(to: producer).map(\.type), [.error])
        XCTAssertTrue(h.broker.streams.isEmpty)
    }
}
