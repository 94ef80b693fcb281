import SimulationSupport
import XCTest

@testable import Wire

final class RTTEstimatorTests: XCTestCase {
    func testFirstSampleReplacesTheGuess() {
        var e = RTTEstimator(initial: 20_000)
        XCTAssertFalse(e.hasSample)
        XCTAssertEqual(e.smoothed, 20_000)
        e.add(sample: 8_000)
        XCTAssertTrue(e.hasSample)
        XCTAssertEqual(e.smoothed, 8_000)
        XCTAssertEqual(e.variance, 4_000)
    }

    func testSmoothingConvergesAndNeverGoesBelowOne() {
        var e = RTTEstimator(initial: 20_000)
        for _ in 0..<100 { e.add(sample: 30_000) }
        XCTAssertEqual(e.smoothed, 30_000)
        XCTAssertLessThan(e.variance, 100)
        var z = RTTEstimator(initial: 20_000)
        z.add(sample: -5)
        XCTAssertEqual(z.smoothed, 1)
    }

    func testRetryIntervalIsClamped() {
        let timers = Timers()
        var e = RTTEstimator(initial: 20_000)
        e.add(sample: 100)
        XCTAssertEqual(e.retryInterval(timers), timers.minRetryInterval)
        var slow = RTTEstimator(initial: 20_000)
        slow.add(sample: 10_000_000)
        XCTAssertEqual(slow.retryInterval(timers), timers.maxRetryInterval)
        XCTAssertEqual(RTTEstimator.interval(rtt: 0, timers: timers), timers.initialRTT)
        XCTAssertEqual(RTTEstimator.interval(rtt: 20_000, timers: timers), 30_000)
        XCTAssertEqual(RTTEstimator.interval(rtt: 1, timers: timers), timers.minRetryInterval)
        XCTAssertEqual(RTTEstimator.interval(rtt: 1_000_000, timers: timers), timers.maxRetryInterval)
    }
}
