import SimulationSupport
import XCTest

@testable import Wire

final class LossDetectorTests: XCTestCase {
    let timers = Timers()

    /// Every sequence number a list of ranges names.
    func sequences(_ ranges: [NackRange]) -> [UInt32] {
        ranges.flatMap { r in (0..<UInt32(r.count)).map { r.start &+ $0 } }
    }

    func testAGapIsNackedAfterTheReorderDelay() {
        var d = LossDetector(maxTracked: 100)
        XCTAssertTrue(d.receive(1, now: 0, timers: timers))
        XCTAssertTrue(d.receive(2, now: 0, timers: timers))
        XCTAssertTrue(d.receive(5, now: 1_000, timers: timers))
        XCTAssertEqual(d.missingCount, 2)
        XCTAssertEqual(d.deadline, 1_000 + timers.nackReorderDelay)
        XCTAssertTrue(d.poll(now: 1_000 + timers.nackReorderDelay - 1, retryInterval: 10_000, timers: timers).isEmpty)
        XCTAssertEqual(d.poll(now: 1_000 + timers.nackReorderDelay, retryInterval: 10_000, timers: timers), [NackRange(start: 3, count: 2)])
        XCTAssertEqual(d.counters.nacksSent, 1)
    }

    func testAReorderedDatagramCancelsItsNack() {
        var d = LossDetector(maxTracked: 100)
        _ = d.receive(1, now: 0, timers: timers)
        _ = d.receive(3, now: 0, timers: timers)
        XCTAssertTrue(d.receive(2, now: 500, timers: timers), "late but wanted")
        XCTAssertEqual(d.missingCount, 0)
        XCTAssertEqual(d.counters.recovered, 1)
        XCTAssertTrue(d.poll(now: 10_000, retryInterval: 10_000, timers: timers).isEmpty)
        XCTAssertEqual(d.deadline, .max)
    }

    func testEachMissingDatagramIsAskedForAtMostMaxTimesAndNotMoreOftenThanTheRetryInterval() {
        var t = Timers()
        t.latencyBudget = 10_000_000  // let the retry limit, not the budget, end it
        let retry: Int64 = 7_000
        var d = LossDetector(maxTracked: 100)
        _ = d.receive(10, now: 0, timers: t)
        _ = d.receive(13, now: 0, timers: t)  // 11 and 12 missing
        _ = d.receive(20, now: 3_000, timers: t)  // 14...19 missing, found later
        var asks: [UInt32: [Int64]] = [:]
        var now: Int64 = 0
        while now < 200_000 {
            // Poll every 500 µs, far more often than the retry interval.
            for s in sequences(d.poll(now: now, retryInterval: retry, timers: t)) { asks[s, default: []].append(now) }
            now += 500
        }
        XCTAssertEqual(Set(asks.keys), Set([11, 12, 14, 15, 16, 17, 18, 19]))
        for (seq, times) in asks {
            XCTAssertEqual(times.count, t.maxNacksPerDatagram, "seq \(seq)")
            for (a, b) in zip(times, times.dropFirst()) { XCTAssertGreaterThanOrEqual(b - a, retry, "seq \(seq) asked again too soon") }
        }
        XCTAssertEqual(d.missingCount, 0, "given up after the last ask")
        XCTAssertEqual(d.counters.abandoned, 8)
        XCTAssertEqual(d.counters.lost, 8)
        XCTAssertEqual(d.deadline, .max)
    }

    func testGapsAreAbandonedAfterTheLatencyBudget() {
        var d = LossDetector(maxTracked: 100)
        _ = d.receive(1, now: 0, timers: timers)
        _ = d.receive(3, now: 0, timers: timers)
        var asked = 0
        var now: Int64 = 0
        while now <= timers.latencyBudget + 200_000 {
            asked += d.poll(now: now, retryInterval: timers.maxRetryInterval, timers: timers).count
            now += 1_000
        }
        XCTAssertEqual(asked, 3, "at 2 ms, 102 ms, 202 ms; then the budget ran out")
        XCTAssertEqual(d.counters.abandoned, 1)
        XCTAssertEqual(d.missingCount, 0)
        // Arriving after it was given up: not a duplicate, just late.
        XCTAssertTrue(d.receive(2, now: now, timers: timers))
    }

    func testDuplicatesAreDetected() {
        var d = LossDetector(maxTracked: 100)
        XCTAssertTrue(d.receive(100, now: 0, timers: timers))
        XCTAssertFalse(d.receive(100, now: 0, timers: timers), "the highest again")
        XCTAssertTrue(d.receive(101, now: 0, timers: timers))
        XCTAssertFalse(d.receive(100, now: 0, timers: timers), "below the highest, seen")
        XCTAssertTrue(d.receive(104, now: 0, timers: timers))
        XCTAssertTrue(d.receive(102, now: 0, timers: timers), "a gap filled")
        XCTAssertFalse(d.receive(102, now: 0, timers: timers), "the gap filled twice")
        XCTAssertEqual(d.counters.duplicates, 3)
        XCTAssertEqual(d.counters.received, 7)
        XCTAssertEqual(d.missingCount, 1)
    }

    func testWraparoundAtUInt32Max() {
        var d = LossDetector(maxTracked: 100)
        XCTAssertTrue(d.receive(UInt32.max - 2, now: 0, timers: timers))
        XCTAssertTrue(d.receive(1, now: 0, timers: timers))  // max-1, max, 0 missing
        XCTAssertEqual(d.highest, 1)
        XCTAssertEqual(d.missingCount, 3)
        let ranges = d.poll(now: timers.nackReorderDelay, retryInterval: 10_000, timers: timers)
        XCTAssertEqual(ranges, [NackRange(start: UInt32.max - 1, count: 3)], "one range across the wrap")
        XCTAssertTrue(d.receive(UInt32.max, now: 3_000, timers: timers))
        XCTAssertFalse(d.receive(UInt32.max, now: 3_000, timers: timers))
        XCTAssertFalse(d.receive(UInt32.max - 2, now: 3_000, timers: timers))
        XCTAssertEqual(
            d.poll(now: 20_000, retryInterval: 10_000, timers: timers), [NackRange(start: UInt32.max - 1, count: 1), NackRange(start: 0, count: 1)])
    }

    func testRangesOfOneNackAreLimitedAndTheRestFollows() {
        var d = LossDetector(maxTracked: 1000)
        // 100 separate holes: 1, 3, 5, ...
        for s in stride(from: UInt32(0), through: 200, by: 2) { _ = d.receive(s, now: 0, timers: timers) }
        XCTAssertEqual(d.missingCount, 100)
        let first = d.poll(now: timers.nackReorderDelay, retryInterval: 10_000, timers: timers)
        XCTAssertEqual(first.count, WireConstants.maxNackRanges)
        XCTAssertLessThanOrEqual(d.deadline, timers.nackReorderDelay, "the rest is due at once")
        let second = d.poll(now: timers.nackReorderDelay, retryInterval: 10_000, timers: timers)
        XCTAssertEqual(second.count, 100 - WireConstants.maxNackRanges)
        XCTAssertEqual(Set(sequences(first + second)), Set(stride(from: UInt32(1), through: 199, by: 2)))
        XCTAssertTrue(d.poll(now: timers.nackReorderDelay, retryInterval: 10_000, timers: timers).isEmpty)
    }

    func testTrackedGapsAreBounded() {
        var d = LossDetector(maxTracked: 50)
        _ = d.receive(0, now: 0, timers: timers)
        _ = d.receive(50, now: 0, timers: timers)
        XCTAssertEqual(d.missingCount, 49)
        _ = d.receive(90, now: 0, timers: timers)
        XCTAssertEqual(d.missingCount, 50, "no more than maxTracked")
        // A jump beyond what can be tracked starts over.
        _ = d.receive(1_000_000, now: 0, timers: timers)
        XCTAssertEqual(d.missingCount, 0)
        XCTAssertEqual(d.highest, 1_000_000)
        XCTAssertEqual(d.counters.lost, 50)
        XCTAssertTrue(d.receive(1_000_001, now: 0, timers: timers))
        XCTAssertEqual(d.missingCount, 0)
    }

    func testASenderThatRestartedFarBehindIsFollowed() {
        var d = LossDetector(maxTracked: 10)
        _ = d.receive(1_000, now: 0, timers: timers)
        XCTAssertTrue(d.receive(5, now: 0, timers: timers))
        XCTAssertEqual(d.highest, 5)
        XCTAssertTrue(d.receive(6, now: 0, timers: timers))
        XCTAssertTrue(d.receive(8, now: 0, timers: timers))
        XCTAssertEqual(d.missingCount, 1)
    }

    // MARK: Frame boundaries

    func testALostFrameTailIsNackedOnceTheStreamGoesQuiet() {
        var d = LossDetector(maxTracked: 100)
        // Chunks 0...2 of a five-chunk frame (10...14) arrive; 13 and 14 are lost and nothing follows.
        for s: UInt32 in 10...12 { XCTAssertTrue(d.receive(s, frameStart: 10, frameEnd: 14, now: 0, timers: timers)) }
        XCTAssertEqual(d.missingCount, 0, "nothing is known missing yet")
        XCTAssertEqual(d.deadline, timers.minTailQuiet)
        XCTAssertTrue(d.poll(now: timers.minRetryInterval, retryInterval: 20_000, timers: timers).isEmpty, "not quiet for a retry interval yet")
        XCTAssertEqual(d.deadline, 20_000)
        XCTAssertEqual(d.poll(now: 20_000, retryInterval: 20_000, timers: timers), [NackRange(start: 13, count: 2)])
        XCTAssertEqual(d.highest, 14)
        // The tail arrives after all, the last number of the frame too (it is the highest, yet missing).
        XCTAssertTrue(d.receive(14, frameStart: 10, frameEnd: 14, now: 30_000, timers: timers))
        XCTAssertTrue(d.receive(13, frameStart: 10, frameEnd: 14, now: 30_000, timers: timers))
        XCTAssertFalse(d.receive(14, frameStart: 10, frameEnd: 14, now: 30_000, timers: timers), "now a duplicate")
        XCTAssertEqual(d.counters.recovered, 2)
        XCTAssertEqual(d.missingCount, 0)
        XCTAssertEqual(d.deadline, .max)
    }

    func testACompleteFrameLeavesNoTailAndArrivalsKeepItWaiting() {
        var d = LossDetector(maxTracked: 100)
        for s: UInt32 in 0...4 { _ = d.receive(s, frameStart: 0, frameEnd: 4, now: 0, timers: timers) }
        XCTAssertEqual(d.deadline, .max)
        // A slow frame: a chunk every 15 ms, with a 20 ms retry interval, is never presumed lost.
        var now: Int64 = 1_000_000
        for s: UInt32 in 5...9 {
            _ = d.receive(s, frameStart: 5, frameEnd: 9, now: now, timers: timers)
            for t in stride(from: now, to: now + 15_000, by: 1_000) {
                XCTAssertTrue(d.poll(now: t, retryInterval: 20_000, timers: timers).isEmpty)
            }
            now += 15_000
        }
        XCTAssertEqual(d.deadline, .max)
        XCTAssertEqual(d.counters.nacksSent, 0)
    }

    // MARK: Adaptive tail wait

    /// Chunks 0...2 of a five-chunk frame starting at `base` arrive at `at`; the stream then goes quiet.
    private func partialFrame(_ d: inout LossDetector, base: UInt32, at: Int64) {
        for s in base...base + 2 { XCTAssertTrue(d.receive(s, frameStart: base, frameEnd: base + 4, now: at, timers: timers)) }
    }

    func testTheTailWaitStartsAtTheMinimum() {
        var d = LossDetector(maxTracked: 100)
        partialFrame(&d, base: 10, at: 0)
        XCTAssertEqual(d.tailQuiet, timers.minTailQuiet)
        XCTAssertEqual(d.deadline, timers.minTailQuiet)
        XCTAssertEqual(d.poll(now: timers.minTailQuiet, retryInterval: timers.minRetryInterval, timers: timers), [NackRange(start: 13, count: 2)])
    }

    func testASpuriousTailNackDoublesTheWaitUpToTheMaximum() {
        var d = LossDetector(maxTracked: 100)
        var now: Int64 = 0
        var expected = timers.minTailQuiet
        for frame: UInt32 in 0..<6 {
            let base = 10 + frame * 5
            partialFrame(&d, base: base, at: now)
            now += d.tailQuiet
            XCTAssertEqual(d.poll(now: now, retryInterval: timers.minRetryInterval, timers: timers), [NackRange(start: base + 3, count: 2)])
            // The originals were only late: they arrive without the retransmit flag.
            XCTAssertTrue(d.receive(base + 3, frameStart: base, frameEnd: base + 4, now: now + 100, timers: timers))
            expected = min(expected * 2, timers.tailQuiet)
            XCTAssertEqual(d.tailQuiet, expected)
            XCTAssertTrue(d.receive(base + 4, frameStart: base, frameEnd: base + 4, now: now + 200, timers: timers))
            now += 1_000_000
        }
        XCTAssertEqual(d.tailQuiet, timers.tailQuiet, "capped at the maximum")
    }

    func testARecoveredTailLeavesTheWaitAlone() {
        var d = LossDetector(maxTracked: 100)
        partialFrame(&d, base: 10, at: 0)
        XCTAssertFalse(d.poll(now: timers.minTailQuiet, retryInterval: timers.minRetryInterval, timers: timers).isEmpty)
        // Resends answering the NACK: the tail really was lost, the wait was right.
        XCTAssertTrue(d.receive(13, frameStart: 10, frameEnd: 14, resent: true, now: 6_000, timers: timers))
        XCTAssertTrue(d.receive(14, frameStart: 10, frameEnd: 14, resent: true, now: 6_000, timers: timers))
        XCTAssertEqual(d.tailQuiet, timers.minTailQuiet)
        XCTAssertEqual(d.counters.recovered, 2)
    }

    func testTheWaitEasesBackAfterTailsComeUnasked() {
        var d = LossDetector(maxTracked: 100)
        // Two spurious tail NACKs: 5 → 10 → 20 ms.
        var now: Int64 = 0
        for frame: UInt32 in 0..<2 {
            let base = frame * 5
            partialFrame(&d, base: base, at: now)
            now += d.tailQuiet
            _ = d.poll(now: now, retryInterval: timers.minRetryInterval, timers: timers)
            _ = d.receive(base + 3, frameStart: base, frameEnd: base + 4, now: now, timers: timers)
            _ = d.receive(base + 4, frameStart: base, frameEnd: base + 4, now: now, timers: timers)
            now += 100_000
        }
        XCTAssertEqual(d.tailQuiet, 20_000)
        // Complete frames, each tail in time: 1/16 of the excess goes per frame.
        var last = d.tailQuiet
        for frame: UInt32 in 2..<200 {
            let base = frame * 5
            for s in base...base + 4 { _ = d.receive(s, frameStart: base, frameEnd: base + 4, now: now, timers: timers) }
            XCTAssertLessThanOrEqual(d.tailQuiet, last)
            last = d.tailQuiet
            now += 33_000
        }
        XCTAssertEqual(d.tailQuiet, timers.minTailQuiet)
        XCTAssertEqual(d.counters.nacksSent, 2)
    }

    func testAFrameTailAcrossTheWraparound() {
        var d = LossDetector(maxTracked: 100)
        _ = d.receive(UInt32.max - 1, frameStart: UInt32.max - 1, frameEnd: 1, now: 0, timers: timers)
        XCTAssertEqual(d.poll(now: 50_000, retryInterval: 20_000, timers: timers), [NackRange(start: UInt32.max, count: 3)])
    }

    func testJoiningMidFrameWantsTheFramesEarlierChunks() {
        var d = LossDetector(maxTracked: 100)
        XCTAssertTrue(d.receive(105, frameStart: 100, frameEnd: 109, now: 0, timers: timers))
        XCTAssertEqual(d.missingCount, 5)
        for s: UInt32 in 106...109 { _ = d.receive(s, frameStart: 100, frameEnd: 109, now: 0, timers: timers) }
        XCTAssertEqual(d.poll(now: timers.nackReorderDelay, retryInterval: 20_000, timers: timers), [NackRange(start: 100, count: 5)])
        // Overtaken, not lost: they still count.
        XCTAssertTrue(d.receive(102, frameStart: 100, frameEnd: 109, now: 3_000, timers: timers))
        XCTAssertEqual(d.counters.recovered, 1)
        // The frame before is not wanted, but not refused as a duplicate either.
        XCTAssertTrue(d.receive(99, frameStart: 90, frameEnd: 99, now: 3_000, timers: timers))
        XCTAssertEqual(d.missingCount, 4)
    }

    func testReset() {
        var d = LossDetector(maxTracked: 10)
        _ = d.receive(1, now: 0, timers: timers)
        _ = d.receive(5, now: 0, timers: timers)
        d.reset()
        XCTAssertFalse(d.started)
        XCTAssertEqual(d.missingCount, 0)
        XCTAssertEqual(d.deadline, .max)
        XCTAssertTrue(d.receive(1, now: 0, timers: timers), "forgotten, so not a duplicate")
    }
}
