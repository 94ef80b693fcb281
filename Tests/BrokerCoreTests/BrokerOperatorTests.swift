import SimulationSupport
import Wire
import XCTest

@testable import BrokerCore

/// The operator's commands (the status page's actions) take effect in the core: peers are told and tables change.
final class BrokerOperatorTests: XCTestCase {
    let producer = address(4001)
    let client = address(4002)

    func testDisconnectEndsTheClientsSessionWithAByeCarryingItsToken() {
        var h = BrokerHarness()
        h.connectProducer(producer)
        let token = h.connect(client, role: .client)
        _ = h.subscribe(client, token: token, allOfTestProducer)
        XCTAssertEqual(h.broker.streams[videoStream]?.subscribers.count, 1)

        let (result, out) = h.operate { $0.disconnectClient(client, now: $1) }
        XCTAssertEqual(result, .done)
        XCTAssertEqual(out.messages(to: client), [.bye(token: token, reason: .disconnected)])
        XCTAssertNil(h.broker.sessions[client])
        XCTAssertEqual(h.broker.subscriberCount, 0)
        XCTAssertEqual(h.broker.streams[videoStream]?.subscribers.count, 0, "off the fan-out at once")
        XCTAssertTrue(h.events.contains(.clientDisconnected(client)))
        XCTAssertEqual(h.operate { $0.disconnectClient(client, now: $1) }.0, .notFound)
        XCTAssertEqual(h.operate { $0.disconnectClient(producer, now: $1) }.0, .notFound, "a producer is not a client")
    }

    func testABlockedProducerGoesOfflineAndItsHelloIsRefusedNamingTheBlock() {
        var h = BrokerHarness()
        h.connectProducer(producer)
        let token = h.connect(client, role: .client)
        _ = h.subscribe(client, token: token, allOfTestProducer)

        let (result, out) = h.operate { $0.blockProducer(testProducer, now: $1) }
        XCTAssertEqual(result, .done)
        XCTAssertEqual(h.broker.streams[videoStream]?.online, false)
        XCTAssertNil(h.broker.sessions[producer])
        let told = out.messages(to: client).compactMap { if case .streamStatus(let s) = $0 { s.state } else { nil } }
        XCTAssertEqual(told, [.offline, .offline], "the subscriber hears both streams go offline")
        XCTAssertTrue(h.events.contains(.producerBlocked(testProducer, endedSession: producer)))
        XCTAssertEqual(h.broker.history.byStream[videoStream]?.last?.reason, "blocked by the operator")

        // Its HELLO (with the right cookie) is refused with ERROR blocked, request id 0; no session is made.
        let hello = Hello(
            token: h.broker.cookie(for: producer), nonce: 7, role: .producer, producer: testProducer,
            streams: [StreamDescriptor(index: 1, kind: .video, rateMilli: 30_000)]
        ).signed(streamKey: testStreamKey())
        let refused = h.receive(.hello(hello), from: producer).messages(to: producer)
        guard case .error(let e)? = refused.first, refused.count == 1 else { return XCTFail("expected one ERROR, got \(refused)") }
        XCTAssertEqual(e.code, .notAuthorized)
        XCTAssertEqual(e.requestID, 0)
        XCTAssertTrue(e.reason.contains("1AAA99") && e.reason.contains("blocked"), e.reason)
        XCTAssertNil(h.broker.sessions[producer])
        XCTAssertEqual(h.broker.counters.refused[.blocked], 1)

        // Unblocked, the same HELLO is welcome and the stream is online again.
        XCTAssertEqual(h.operate { c, _ in c.unblockProducer(testProducer, now: 0) }.0, .done)
        XCTAssertEqual(h.operate { c, _ in c.unblockProducer(testProducer, now: 0) }.0, .notFound)
        let welcome = h.receive(.hello(hello), from: producer).messages(to: producer)
        XCTAssertEqual(welcome.map(\.type), [.welcome])
        XCTAssertEqual(h.broker.streams[videoStream]?.online, true)
    }

    func testBlockingAnIdWithNoSessionStillRefusesItsHello() {
        var h = BrokerHarness()
        XCTAssertEqual(h.operate { $0.blockProducer(testProducer, now: $1) }.0, .done)
        XCTAssertEqual(h.broker.blocks.blocked, [testProducer])
        let hello = Hello(token: h.broker.cookie(for: producer), nonce: 7, role: .producer, producer: testProducer, streams: [])
        XCTAssertEqual(h.receive(.hello(hello), from: producer).messages(to: producer).map(\.type), [.error])
    }

    func testTheBlockListIsBounded() {
        var h = BrokerHarness()
        for i in 1...BrokerCore.maxBlockedProducers {
            XCTAssertEqual(h.operate { $0.blockProducer(ProducerID(rawValue: UInt32(i))!, now: $1) }.0, .done)
        }
        XCTAssertEqual(h.operate { $0.blockProducer(ProducerID(rawValue: 0xFF_FFFF)!, now: $1) }.0, .limitReached)
        XCTAssertEqual(h.operate { $0.blockProducer(ProducerID(rawValue: 1)!, now: $1) }.0, .done, "blocking again is fine")
    }

    func testHistoryRecordsOnlineAndOfflineWithTimes() {
        var h = BrokerHarness()
        h.connectProducer(producer)
        let online = h.now
        h.now += 5_000_000
        _ = h.receive(.bye(token: h.broker.cookie(for: producer), reason: .quit), from: producer)
        let entries = h.broker.history.byStream[videoStream] ?? []
        XCTAssertEqual(entries.map(\.online), [true, false])
        XCTAssertEqual(entries.map(\.time), [online, online + 5_000_000])
        XCTAssertEqual(entries.first?.from, producer)
        XCTAssertEqual(entries.map(\.reason), [nil, "producer said goodbye"])
        XCTAssertEqual(h.broker.streams[videoStream]?.onlineSince, online)
    }

    func testHistoryKeepsTheLastHundredPerStreamAndBoundsTheStreams() {
        var history = StreamHistory(maxStreams: 2)
        for i in 0..<250 { history.record(videoStream, online: i % 2 == 0, from: nil, now: Int64(i)) }
        XCTAssertEqual(history.byStream[videoStream]?.count, StreamHistory.perStream)
        XCTAssertEqual(history.byStream[videoStream]?.first?.time, 150)
        XCTAssertEqual(history.byStream[videoStream]?.last?.time, 249)
        history.record(audioStream, online: true, from: nil, now: 300)
        let third = StreamID(producer: ProducerID(rawValue: 0x2B_BB77)!, kind: .video)
        history.record(third, online: true, from: nil, now: 301)
        XCTAssertEqual(Set(history.byStream.keys), [audioStream, third], "the stream with the oldest latest event goes")
    }
}
