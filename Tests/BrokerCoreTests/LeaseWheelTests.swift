import XCTest

@testable import BrokerCore

final class LeaseWheelTests: XCTestCase {
    func testKeysComeBackOnceTheirBucketHasPassed() {
        var w = LeaseWheel<Int>(tick: 100, span: 1_000)
        w.schedule(1, at: 250, now: 0)
        w.schedule(2, at: 299, now: 0)
        w.schedule(3, at: 300, now: 0)
        XCTAssertEqual(w.next, 99)
        XCTAssertEqual(w.popDue(now: 250, limit: 10), [])
        XCTAssertEqual(Set(w.popDue(now: 299, limit: 10)), [1, 2])
        XCTAssertEqual(w.popDue(now: 398, limit: 10), [])
        XCTAssertEqual(w.popDue(now: 399, limit: 10), [3])
        XCTAssertEqual(w.count, 0)
        XCTAssertEqual(w.next, .max)
    }

    func testAtMostTheLimitPerCallAndTheRestIsDueAtOnce() {
        var w = LeaseWheel<Int>(tick: 100, span: 1_000)
        for k in 0..<1_000 { w.schedule(k, at: 500, now: 0) }
        var taken: [Int] = []
        var calls = 0
        while w.next <= 600 {
            let part = w.popDue(now: 600, limit: 64)
            XCTAssertLessThanOrEqual(part.count, 64)
            taken += part
            calls += 1
        }
        XCTAssertEqual(Set(taken), Set(0..<1_000))
        XCTAssertEqual(taken.count, 1_000)
        XCTAssertEqual(calls, 16)
    }

    func testADeadlineInThePastComesBackAtTheNextLookAndOneTooFarAheadEarly() {
        var w = LeaseWheel<Int>(tick: 100, span: 1_000, now: 5_000)
        w.schedule(1, at: 10, now: 5_000)
        w.schedule(2, at: 1_000_000, now: 5_000)
        XCTAssertEqual(w.popDue(now: 5_099, limit: 10), [1])
        // Beyond the span it is put in the last bucket: back early, for its owner to schedule again.
        XCTAssertEqual(w.popDue(now: 6_199, limit: 10), [2])
    }

    func testALongQuietSpellPassesTheRingOnceNotTickByTick() {
        var w = LeaseWheel<Int>(tick: 10, span: 100)
        for k in 0..<5 { w.schedule(k, at: Int64(k) * 20, now: 0) }
        let before = w.operations
        XCTAssertEqual(Set(w.popDue(now: 1_000_000_000, limit: 100)), Set(0..<5))
        // 12 buckets at most, plus the five keys: not 100 million ticks.
        XCTAssertLessThanOrEqual(w.operations - before, 12 + 5)
    }
}
