import SimulationSupport
import Wire
import XCTest

@testable import ClientCore

/// The client's HEARTBEATs carry what its receivers got: datagrams received and lost, cumulative.
final class ReceiverReportingTests: XCTestCase {
    let token: UInt64 = 0xC00C1E

    func heartbeats(_ out: [[UInt8]]) -> [ReceiverReport?] {
        out.compactMap { decoded($0) }.compactMap { if case .heartbeat(_, _, _, let r) = $0 { r } else { nil } }
    }

    func testHeartbeatsReportWhatWasReceivedAndLost() {
        var c = ClientSession(seed: 1)
        guard case .hello(let h)? = c.start(now: 0).first.flatMap({ decoded($0) }) else { return XCTFail("no HELLO") }
        guard case .hello(let h2)? = c.receive(Message.cookie(nonce: h.nonce, token: token, challenge: testChallenge).encode()[...], now: 0).first.flatMap({ decoded($0) })
        else { return XCTFail("no HELLO with the cookie") }
        _ = c.receive(asBroker(.welcome(Welcome(nonce: h2.nonce, epoch: 1, heartbeatMillis: 500, leaseMisses: 6)), for: c.link)[...], now: 0)
        guard case .subscribe(let r)? = c.sendSubscribe(videoStream, now: 0).first.flatMap({ decoded($0) }) else { return XCTFail("no SUBSCRIBE") }
        _ = c.receive(asBroker(.ack(Ack(requestID: r.requestID, selector: videoStream, status: .online)), for: c.link)[...], now: 0)

        // Nothing yet: the first heartbeat reports zeros (a 32-byte HEARTBEAT).
        XCTAssertEqual(heartbeats(c.poll(now: 500_000)), [ReceiverReport(received: 0, lost: 0)])
        // Frame 1 whole, frame 2 without its second chunk (never resent: given up after the budget).
        let f1 = frameDatagrams(1, firstSequence: 0, captureTime: 1)
        let f2 = frameDatagrams(2, firstSequence: 3, captureTime: 2)
        for d in f1 + [f2[0], f2[2]] { _ = c.receive(d[...], now: 600_000) }
        var now: Int64 = 600_000
        var reports: [ReceiverReport?] = []
        while now < 1_600_000 {
            now = max(now + 1, min(c.deadline, 1_600_000))
            reports += heartbeats(c.poll(now: now))
        }
        XCTAssertEqual(reports.last, ReceiverReport(received: 5, lost: 1))
        // Unsubscribing keeps the counts (they are cumulative since the client started).
        _ = c.sendUnsubscribe(videoStream, now: now)
        reports = []
        let end = now + 1_000_000
        while now < end {
            now = max(now + 1, min(c.deadline, end))
            reports += heartbeats(c.poll(now: now))
        }
        XCTAssertEqual(reports.last, ReceiverReport(received: 5, lost: 1))
    }
}
