import SimulationSupport
import Wire
import XCTest

@testable import BrokerCore

/// A subscriber's NACKs draw at most its retransmit budget: the burst plus `retransmitBudgetPercent` of the
/// bytes its streams delivered.
final class RetransmitBudgetTests: XCTestCase {
    let producer = address(4001)
    let client = address(4002)

    func testTheBucketIsCreditedByWhatTheStreamReceivedAndCapped() {
        var limits = Limits()
        limits.retransmitBurstBytes = 1_000
        limits.retransmitBudgetPercent = 50
        var b = RetransmitBudget(burst: 1_000)
        XCTAssertTrue(b.spend(900))
        XCTAssertFalse(b.spend(200))
        b.credit(videoStream, bytesIn: 10_000, limits: limits)  // first look: a starting point, no credit
        XCTAssertEqual(b.tokens, 100)
        b.credit(videoStream, bytesIn: 10_600, limits: limits)
        XCTAssertEqual(b.tokens, 400)
        b.credit(audioStream, bytesIn: 50, limits: limits)
        b.credit(audioStream, bytesIn: 5_050, limits: limits)
        XCTAssertEqual(b.tokens, 1_000, "capped at the burst")
        b.credit(videoStream, bytesIn: 10, limits: limits)  // the stream was tracked afresh
        XCTAssertEqual(b.tokens, 1_000)
    }

    /// Ten seconds of 12 fps video (30 kB frames) while the subscriber NACKs the last 100 datagrams every 10 ms.
    func testANackStormDrawsAtMostTheBudget() {
        var h = BrokerHarness()
        h.connectProducer(producer)
        let token = h.connect(client, role: .client)
        _ = h.subscribe(client, token: token, videoStream)
        var sequence: UInt32 = 0
        var nackBytes = 0
        var resentBytes = 0
        var resentDatagrams = 0
        for step in 0..<1_000 {
            if step % 8 == 0 {
                let n = UInt32(step / 8 + 1)
                for d in frameDatagrams(n, firstSequence: sequence, size: 30_000, key: testMediaKey()) {
                    _ = h.receive(d, from: producer)
                    sequence += 1
                }
            }
            let nack = Message.nack(
                Nack(token: token, stream: videoStream, rttMicros: 1, ranges: [NackRange(start: sequence &- 100, count: 100)])
            ).encode()
            nackBytes += nack.count
            for o in h.receive(nack, from: client) {
                if case .unicast(let bytes, _, _) = o {
                    resentBytes += bytes.count
                    resentDatagrams += 1
                }
            }
            h.now += 10_000
            if step % 50 == 0 { _ = h.receive(.heartbeat(token: token, sendTime: 0, rttMicros: 0), from: producer) }
        }
        let delivered = h.broker.streams[videoStream]!.bytesIn
        let budget = Limits().retransmitBurstBytes + delivered * Limits().retransmitBudgetPercent / 100
        XCTAssertLessThanOrEqual(resentBytes, budget)
        // Not starved either: the budget is used (less the first frame, which only sets the starting point).
        XCTAssertGreaterThan(resentBytes, budget * 9 / 10)
        XCTAssertGreaterThan(h.broker.counters.retransmitsOverBudget, 0)
        XCTAssertEqual(h.broker.counters.retransmitsOut, resentDatagrams)
        print(
            "NACK storm: \(nackBytes) bytes of NACKs drew \(resentBytes) bytes of resends (\(resentDatagrams) datagrams) for \(delivered) bytes delivered; budget \(budget)"
        )
    }
}
