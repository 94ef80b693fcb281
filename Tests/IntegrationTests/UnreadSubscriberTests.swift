import Foundation
import Wire
import XCTest

/// A subscriber that never reads its socket shows in /metrics: its heartbeats' receiver reports say it received
/// nothing while its stream flows. A real client beside it reports what it got and is not flagged.
final class UnreadSubscriberTests: IntegrationTestCase {
    func testASubscriberThatNeverReadsIsFlaggedUnread() throws {
        let broker = try startBroker(metrics: true)
        try startProducer("1AAA99", brokerPort: broker.port, rate: 30, audio: false)
        try waitForProducerOnline("1AAA99", at: broker)
        let client = try startClient(brokerPort: broker.port, subscribe: ["1AAA9901"], output: folder("out"))
        try waitForLine(client, startingWith: "subscribed to 1AAA9901")

        // The silent reader: handshake and SUBSCRIBE, then only heartbeats that report nothing received.
        let peer = try BoundUDPPeer(ipv4: 0x7f00_0001)
        peer.send(Message.hello(Hello(token: 0, nonce: 9, role: .client)).encode(), to: broker.port)
        guard case .cookie(9, let token, let challenge?)? = peer.receive() else { throw HarnessFailure("no COOKIE for the raw peer") }
        peer.send(Message.hello(Hello(token: token, nonce: 9, role: .client, challenge: challenge)).encode(), to: broker.port)
        guard case .welcome? = peer.receive() else { throw HarnessFailure("no WELCOME for the raw peer") }
        peer.send(
            Message.subscribe(SubscriptionRequest(token: token, requestID: 1, selector: StreamID(selector: "1AAA9901")!)).encode(), to: broker.port)

        let silent = "subscriber=\"127.0.0.1:\(peer.localPort)\""
        var lastBeat = 0.0
        var body = ""
        try waitUntil("/metrics flags the raw peer unread", timeout: 20) {
            // Its heartbeats keep the lease (paced by the clock; nothing waits on them).
            if monotonicNow() - lastBeat >= 0.5 {
                lastBeat = monotonicNow()
                let beat = Message.heartbeat(token: token, sendTime: 1, rttMicros: 0, report: ReceiverReport(received: 0, lost: 0))
                peer.send(beat.encode(), to: broker.port)
            }
            body = try httpGet(port: broker.metricsPort!, path: "/metrics").body
            return body.contains("broker_subscriber_unread{\(silent)} 1")
        }
        XCTAssertTrue(body.contains("broker_subscribers_unread 1\n"), "one subscriber unread")
        XCTAssertTrue(body.contains("broker_subscribers_reporting 2\n"), "both send reports")
        XCTAssertTrue(body.contains("broker_subscriber_reported_received_total{\(silent)} 0\n"))
        // The real client reports what it got and is not flagged.
        let received = body.split(separator: "\n").first {
            $0.hasPrefix("broker_subscriber_reported_received_total{") && !$0.contains(silent)
        }
        XCTAssertNotNil(received)
        XCTAssertGreaterThan(Double(received?.split(separator: " ").last ?? "") ?? 0, 0, "the real client's reported datagrams")
        XCTAssertEqual(body.split(separator: "\n").filter { $0.hasPrefix("broker_subscriber_unread{") }.count, 1)
    }
}
