import SimulationSupport
import XCTest

@testable import Wire

final class DelayHistogramTests: XCTestCase {
    func testBucketsAreUpperInclusiveInMicroseconds() {
        var h = DelayHistogram()
        h.record(nanos: 0)  // 0 µs: first bucket
        h.record(nanos: 25_000)  // exactly 25 µs: first bucket
        h.record(nanos: 25_001)  // rounds up to 26 µs: second bucket
        h.record(nanos: 999_000)  // 999 µs: the 1000 µs bucket
        h.record(nanos: 300_000_000)  // 300 ms: beyond the last bound
        h.record(nanos: -5)  // a clock stepped back counts as 0
        XCTAssertEqual(h.count, 6)
        XCTAssertEqual(h.counts[0], 3)
        XCTAssertEqual(h.counts[1], 1)
        XCTAssertEqual(h.counts[DelayHistogram.boundsMicros.firstIndex(of: 1000)!], 1)
        XCTAssertEqual(h.counts.last, 1)
        XCTAssertEqual(h.cumulative.last, 6)
        XCTAssertEqual(h.sumNanos, 25_000 + 25_001 + 999_000 + 300_000_000)
    }

    func testQuantileUpperBound() {
        var h = DelayHistogram()
        XCTAssertNil(h.quantileUpperBoundMicros(0.99))
        for _ in 0..<98 { h.record(nanos: 40_000) }  // 40 µs → the 50 µs bucket
        h.record(nanos: 190_000)  // → the 200 µs bucket
        XCTAssertEqual(h.quantileUpperBoundMicros(0.5), 50)
        XCTAssertEqual(h.quantileUpperBoundMicros(0.99), 200)
        h.record(nanos: 400_000_000)
        XCTAssertEqual(h.quantileUpperBoundMicros(0.99), 200)
        XCTAssertEqual(h.quantileUpperBoundMicros(1.0), Int64.max)
    }

    func testCumulativeIsMonotonic() {
        var h = DelayHistogram()
        var rng = SplitMix64(seed: 7)
        for _ in 0..<10_000 { h.record(nanos: Int64(rng.next() % 400_000_000)) }
        let c = h.cumulative
        XCTAssertEqual(c.count, DelayHistogram.boundsMicros.count + 1)
        XCTAssertEqual(zip(c, c.dropFirst()).filter { $0 > $1 }.count, 0)
        XCTAssertEqual(c.last, 10_000)
    }
}
