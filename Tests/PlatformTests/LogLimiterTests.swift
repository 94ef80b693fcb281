import XCTest

@testable import Platform

final class LogLimiterTests: XCTestCase {
    func testABurstPassesThenTheRestIsSummarisedOncePerWindow() {
        var l = LogLimiter(burst: 3, window: 10_000_000)
        var printed = 0
        for i in 0..<5_000 where l.admit("stream refused", now: Int64(i)) { printed += 1 }
        XCTAssertEqual(printed, 3)
        XCTAssertEqual(l.summaries(now: 9_999_999), [], "not before the window is over")
        XCTAssertEqual(l.summaries(now: 10_000_000), ["… and 4,997 more like it (stream refused) in the last 10 s"])
        XCTAssertEqual(l.summaries(now: 20_000_000), [], "said once")
        XCTAssertTrue(l.admit("stream refused", now: 20_000_001), "a new window lets a line through again")
    }

    func testKindsAreCountedApart() {
        var l = LogLimiter(burst: 1, window: 1_000_000)
        XCTAssertTrue(l.admit("a", now: 0))
        XCTAssertTrue(l.admit("b", now: 0))
        XCTAssertFalse(l.admit("a", now: 1))
        XCTAssertEqual(l.summaries(now: 1_000_000), ["… and 1 more like it (a) in the last 1 s"])
    }

    func testGrouping() {
        XCTAssertEqual(LogLimiter.grouped(7), "7")
        XCTAssertEqual(LogLimiter.grouped(1_000), "1,000")
        XCTAssertEqual(LogLimiter.grouped(1_234_567), "1,234,567")
    }
}
