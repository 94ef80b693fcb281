import XCTest

@testable import ClientCore

final class StreamFiguresTests: XCTestCase {
    func testPercentilesComeFromTheHistogram() {
        var f = StreamFigures()
        XCTAssertEqual(f.percentile(0.5), 0)
        for ms in 1...100 { f.add(latencyMs: Double(ms)) }
        XCTAssertEqual(f.percentile(0.5), 50)
        XCTAssertEqual(f.percentile(0.99), 99)
        XCTAssertEqual(f.latencyCount, 100)
        XCTAssertEqual(f.latencySum, 5050)
    }

    func testLatenciesBeyondTheLastBucketCountAsOver() {
        var f = StreamFigures()
        f.add(latencyMs: 5_000)
        f.add(latencyMs: -3)  // a clock step: counted in the first bucket, never a crash
        XCTAssertEqual(f.percentile(1), 200)
        XCTAssertEqual(f.percentile(0.5), 0)
    }

    func testTheJoinFrameAgeIsKeptApartFromLiveLatency() {
        var f = StreamFigures()
        f.joinedAt = 1_000
        f.record(bytes: 100, latencyMs: 561, cached: true, now: 3_000)
        f.record(bytes: 50, latencyMs: 2, cached: false, now: 40_000)
        f.record(bytes: 50, latencyMs: 4, cached: false, now: 80_000)
        XCTAssertEqual(f.frames, 3)
        XCTAssertEqual(f.bytes, 200)
        XCTAssertEqual(f.joinFrameAgeMs, 561)
        XCTAssertEqual(f.latencyCount, 2, "the join frame is no live latency sample")
        XCTAssertEqual(f.percentile(0.99), 4)
        XCTAssertEqual(f.latencies, [2, 4])
        XCTAssertEqual(f.firstFrameAfterJoin, 2_000, "the join frame is still the first picture")
    }
}
