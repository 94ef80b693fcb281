import XCTest

@testable import Console

final class LiveRegionTests: XCTestCase {
    func testRedrawErasesWhatWasDrawnAndKeepsTheInput() {
        var r = LiveRegion()
        r.statusLines = ["conn", "[1AAA9901] 30 fps"]
        XCTAssertEqual(r.redraw(input: "sta", columns: 80), "\r\u{1b}[J" + "conn\r\n[1AAA9901] 30 fps\r\n> sta")
        XCTAssertEqual(r.drawnRows, 3)
        // The next redraw goes up two rows to the region's first and erases to the end of the screen.
        XCTAssertTrue(r.redraw(input: "sta", columns: 80).hasPrefix("\r\u{1b}[2A\u{1b}[J"))
    }

    func testPrintGoesAboveTheRegion() {
        var r = LiveRegion()
        r.statusLines = ["s"]
        _ = r.redraw(input: "", columns: 80)
        XCTAssertEqual(r.print("one\ntwo", input: "x", columns: 80), "\r\u{1b}[1A\u{1b}[J" + "one\r\ntwo\r\n" + "\r\u{1b}[J" + "s\r\n> x")
    }

    func testLongLinesAreCutAndAWrappedPromptIsCounted() {
        var r = LiveRegion()
        r.statusLines = [String(repeating: "a", count: 50)]
        let drawn = r.redraw(input: String(repeating: "b", count: 25), columns: 20)
        XCTAssertTrue(drawn.contains(String(repeating: "a", count: 18) + "…\r\n"), "a status line never wraps")
        XCTAssertEqual(r.drawnRows, 1 + 2, "27 characters of prompt take two rows of 20")
    }
}
