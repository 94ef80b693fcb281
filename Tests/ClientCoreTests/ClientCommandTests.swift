import Wire
import XCTest

@testable import ClientCore

final class ClientCommandTests: XCTestCase {
    func testAnEmptyLineAsksForTheState() {
        XCTAssertEqual(try ClientCommand.parse("").get(), .state)
        XCTAssertEqual(try ClientCommand.parse("  \t").get(), .state)
        XCTAssertEqual(try ClientCommand.parse("sub 1aaa99").get(), .subscribe(StreamID(selector: "1AAA99")!))
    }
}
