import BrokerCore
import SimulationSupport
import Wire
import XCTest

@testable import BrokerStatus

/// The JSON figures come from the core's views: a producer online and a client subscribed show up, and the text
/// parses as JSON with the fields docs/API.md names.
final class StatusReportTests: XCTestCase {
    func connected() -> BrokerCore {
        var core = BrokerCore(epoch: 0xabc, cookieKey: (1, 2), publishSecret: testPublishSecret)
        let producer = address(4001)
        let client = address(4002)
        let streams = [StreamDescriptor(index: 1, kind: .video, rateMilli: 12_000)]
        let pc = core.cookie(for: producer)
        let producerHello = Hello(
            token: pc, nonce: 1, role: .producer, producer: testProducer, streams: streams,
            challenge: core.challenge(for: producer, nonce: 1, now: 1_000_000))
        core.handle(Message.hello(producerHello.signed(streamKey: testStreamKey())).encode(), from: producer, now: 1_000_000)
        let cc = core.cookie(for: client)
        let clientHello = Hello(token: cc, nonce: 2, role: .client, challenge: core.challenge(for: client, nonce: 2, now: 1_000_000))
        core.handle(Message.hello(clientHello).encode(), from: client, now: 1_000_000)
        core.handle(
            Message.subscribe(SubscriptionRequest(token: cc, requestID: 1, selector: allOfTestProducer)).encode(), from: client, now: 1_000_000)
        return core
    }

    func context(now: Int64 = 3_000_000) -> StatusContext {
        StatusContext(
            brokerAddress: "127.0.0.1:5000", httpAddress: "127.0.0.1:9090", now: now, started: 500_000, wallMicros: 1_700_000_000_000_000,
            queue: { _ in (backlog: 7, droppedFrames: 3) })
    }

    func parse(_ text: String) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    func testStreamsAndSubscribers() throws {
        let core = connected()
        let streams = try parse(StatusReport.streams(core, context()))
        let s = try XCTUnwrap((streams["streams"] as? [[String: Any]])?.first)
        XCTAssertEqual(s["id"] as? String, "1AAA9901")
        XCTAssertEqual(s["state"] as? String, "online")
        XCTAssertEqual(s["subscribers"] as? Int, 1)
        XCTAssertEqual(s["announced_fps"] as? Double, 12)
        XCTAssertEqual(s["online_since_ms"] as? Int64, (1_700_000_000_000_000 - 2_000_000) / 1000, "monotonic turned into wall time")
        XCTAssertEqual((streams["producers"] as? [[String: Any]])?.first?["id"] as? String, "1AAA99")
        let subs = try parse(StatusReport.subscribers(core, context()))
        let c = try XCTUnwrap((subs["subscribers"] as? [[String: Any]])?.first)
        XCTAssertEqual(c["subscriptions"] as? [String], ["1AAA99"])
        XCTAssertEqual(c["backlog"] as? Int, 7)
        XCTAssertEqual(c["dropped_frames"] as? Int, 3)
    }

    func testClusterIsThisBrokerWithNoPeerLinks() throws {
        let cluster = try parse(StatusReport.cluster(connected(), context()))
        let me = try XCTUnwrap(cluster["self"] as? [String: Any])
        XCTAssertEqual(me["epoch"] as? String, "abc")
        XCTAssertEqual(me["uptime_s"] as? Int, 2)
        XCTAssertEqual((cluster["brokers"] as? [[String: Any]])?.count, 1)
        XCTAssertEqual((cluster["peer_links"] as? [Any])?.count, 0)
    }

    func testHistoryAndTheCombinedReport() throws {
        var core = connected()
        _ = core.blockProducer(testProducer, now: 2_000_000)
        let history = try parse(StatusReport.history(core, context()))
        let events = try XCTUnwrap((history["streams"] as? [[String: Any]])?.first?["events"] as? [[String: Any]])
        XCTAssertEqual(events.map { $0["state"] as? String }, ["online", "offline"])
        XCTAssertEqual(events.last?["reason"] as? String, "blocked by the operator")
        let all = try parse(StatusReport.all(core, context(), csrf: "t"))
        XCTAssertEqual(all["csrf"] as? String, "t")
        XCTAssertEqual(all["blocked_producers"] as? [String], ["1AAA99"])
        for key in ["cluster", "streams", "producers", "subscribers", "history"] { XCTAssertNotNil(all[key], key) }
    }
}
