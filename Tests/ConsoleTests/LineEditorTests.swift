import XCTest

@testable import Console

final class LineEditorTests: XCTestCase {
    func testTypingEditingAndEnter() {
        var e = LineEditor()
        XCTAssertEqual(e.feed(Array("subscrx".utf8)), [])
        XCTAssertEqual(e.feed([127]), [], "Backspace")
        XCTAssertEqual(e.text, "subscr")
        XCTAssertEqual(e.feed(Array("ibe 1AAA99\r".utf8)), [.line("subscribe 1AAA99")])
        XCTAssertEqual(e.text, "")
        XCTAssertEqual(e.feed(Array("junk".utf8) + [21] + Array("list\n".utf8)), [.line("list")], "Ctrl-U clears the line")
        XCTAssertEqual(e.feed([13]), [.line("")], "Enter alone is a line")
    }

    func testArrowKeysAreSkippedAndUTF8IsKept() {
        var e = LineEditor()
        XCTAssertEqual(e.feed([27, 91, 65] + Array("é".utf8) + [27, 91, 49, 59, 53, 68] + [13]), [.line("é")])
    }

    func testCtrlDEndsInputOnlyOnAnEmptyLine() {
        var e = LineEditor()
        XCTAssertEqual(e.feed(Array("ab".utf8) + [4]), [])
        XCTAssertEqual(e.text, "ab")
        XCTAssertEqual(e.feed([21, 4]), [.endOfInput])
    }

    func testALineIsBounded() {
        var e = LineEditor()
        _ = e.feed([UInt8](repeating: UInt8(ascii: "x"), count: LineEditor.maxLineBytes + 500))
        XCTAssertEqual(e.text.utf8.count, LineEditor.maxLineBytes)
    }
}
