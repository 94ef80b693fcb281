import XCTest

@testable import Wire

/// A core called later than its own deadline was stalled itself: that time is not its broker's silence.
final class StallWatchTests: XCTestCase {
    func testOnlyLatenessPastTheDeadlineBeyondTheToleranceIsAStall() {
        var w = StallWatch()
        XCTAssertEqual(w.turn(now: 1_000, due: 500, tolerance: 5_000), 0, "the first call has nothing to compare with")
        XCTAssertEqual(w.turn(now: 2_000, due: 10_000, tolerance: 5_000), 0, "called early (a datagram): on time")
        XCTAssertEqual(w.turn(now: 14_000, due: 10_000, tolerance: 5_000), 0, "4 ms late: within the tolerance")
        XCTAssertEqual(w.turn(now: 314_000, due: 20_000, tolerance: 5_000), 294_000, "stalled 294 ms past its deadline")
        XCTAssertEqual(w.turn(now: 400_000, due: 100_000, tolerance: 5_000), 86_000, "an overdue deadline counts from the last call")
        XCTAssertEqual(w.stalls, 2)
        XCTAssertEqual(w.longest, 294_000)
    }

    func testRecentLatenessGivesALoadedHostMoreTimeAndIsForgotten() {
        var w = StallWatch()
        _ = w.turn(now: 0, due: 0, tolerance: 5_000)
        _ = w.turn(now: 1_030_000, due: 1_000_000, tolerance: 5_000)
        XCTAssertEqual(w.recentLateness, 30_000)
        XCTAssertEqual(w.loadAllowance(factor: 4, cap: 200_000), 120_000)
        _ = w.turn(now: 2_100_000, due: 2_000_000, tolerance: 5_000)
        XCTAssertEqual(w.loadAllowance(factor: 4, cap: 200_000), 200_000, "at most the cap")
        _ = w.turn(now: 9_000_000, due: 9_000_000, tolerance: 5_000)
        XCTAssertEqual(w.recentLateness, 0, "a quiet window forgets the load")
    }

    /// A client link connected at 0 with a 500 ms heartbeat.
    func connectedLink() -> BrokerLink {
        var link = BrokerLink(role: .client, producer: nil, streams: [], timers: Timers(), seed: 1)
        guard case .hello(let h)? = try? Message.decode(link.connect(now: 0)) else {
            XCTFail("no HELLO")
            return link
        }
        _ = link.handle(.welcome(Welcome(nonce: h.nonce, epoch: 7, heartbeatMillis: 500, leaseMisses: 6)), now: 0)
        XCTAssertTrue(link.isConnected)
        return link
    }

    func testAStallIsForgivenAndASuspicionNeedsFreshProbes() {
        var link = connectedLink()
        _ = link.suspect(now: 100_000)
        XCTAssertTrue(link.isSuspecting)
        // Stalled from 105 ms to 1,105 ms: without forgiveness the suspicion (80 ms) would end in a move at once.
        link.forgive(1_000_000, now: 1_105_000)
        let (probe, event) = link.poll(now: 1_105_000)
        XCTAssertNil(event, "no verdict on time the process itself was stalled")
        XCTAssertEqual(probe.count, 1, "a fresh probe goes at once")
        let (_, later) = link.poll(now: 1_105_000 + Timers().minConfirm - 1)
        XCTAssertNil(later, "the fresh probes get at least minConfirm")
        XCTAssertEqual(link.poll(now: 1_300_000).event, .lost, "a broker that answers none of them is still lost")
    }

    func testTheLeaseClockDoesNotCountAStall() {
        var link = connectedLink()
        // Six 500 ms heartbeats unanswered would lose the broker at 3 s; a stall of 2.5 s of that is forgiven.
        link.forgive(2_500_000, now: 3_200_000)
        XCTAssertNil(link.poll(now: 3_200_000).event)
        XCTAssertEqual(link.lastHeardAt, 2_500_000)
    }
}
