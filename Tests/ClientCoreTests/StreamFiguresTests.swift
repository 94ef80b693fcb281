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
}
