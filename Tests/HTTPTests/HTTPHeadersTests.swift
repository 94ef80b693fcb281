import HTTP
import XCTest

final class HTTPHeadersTests: XCTestCase {
    func testSubscriptIsCaseInsensitiveAndReturnsFirstValue() {
        let headers = HTTPHeaders([("Accept", "a"), ("accept", "b"), ("Host", "x")])
        XCTAssertEqual(headers["ACCEPT"], "a")
        XCTAssertEqual(headers["host"], "x")
        XCTAssertNil(headers["Missing"])
    }

    func testValuesKeepOrder() {
        let headers = HTTPHeaders([("X-A", "1"), ("Y", "2"), ("x-a", "3")])
        XCTAssertEqual(headers.values(for: "X-a"), ["1", "3"])
        XCTAssertEqual(headers.values(for: "Z"), [])
    }

    func testIterationAndAdd() {
        var headers = HTTPHeaders()
        XCTAssertTrue(headers.isEmpty)
        headers.add("B", "2")
        headers.add("A", "1")
        XCTAssertEqual(headers.map(\.name), ["B", "A"])
        XCTAssertEqual(headers.map(\.value), ["2", "1"])
        XCTAssertEqual(headers.count, 2)
    }

    func testContainsAndRemove() {
        var headers = HTTPHeaders([("A", "1"), ("b", "2"), ("a", "3")])
        XCTAssertTrue(headers.contains("B"))
        headers.remove("A")
        XCTAssertEqual(headers, HTTPHeaders([("b", "2")]))
        XCTAssertFalse(headers.contains("a"))
    }

    func testEqualityIsOrderAndCaseSensitive() {
        XCTAssertEqual(HTTPHeaders([("A", "1"), ("B", "2")]), HTTPHeaders([("A", "1"), ("B", "2")]))
        XCTAssertNotEqual(HTTPHeaders([("A", "1"), ("B", "2")]), HTTPHeaders([("B", "2"), ("A", "1")]))
        XCTAssertNotEqual(HTTPHeaders([("A", "1")]), HTTPHeaders([("a", "1")]))
    }
}
