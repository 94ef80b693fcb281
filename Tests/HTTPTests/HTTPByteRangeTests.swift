import HTTP
import XCTest

final class HTTPByteRangeTests: XCTestCase {
    func testOneRangeOfEachForm() {
        XCTAssertEqual(HTTPByteRange("bytes=0-99", size: 1000), .partial(0...99))
        XCTAssertEqual(HTTPByteRange("bytes=500-", size: 1000), .partial(500...999))
        XCTAssertEqual(HTTPByteRange("bytes=-100", size: 1000), .partial(900...999))
        XCTAssertEqual(HTTPByteRange("bytes=900-5000", size: 1000), .partial(900...999), "the end is clipped to the size")
        XCTAssertEqual(HTTPByteRange("bytes=-5000", size: 1000), .partial(0...999))
        XCTAssertEqual(HTTPByteRange(" bytes= 10 - 20 ", size: 1000), .partial(10...20))
    }

    func testNoRangeOrOneThisServerDoesNotDoIsTheWholeFile() {
        XCTAssertEqual(HTTPByteRange(nil, size: 1000), .full)
        XCTAssertEqual(HTTPByteRange("bytes=0-1,5-6", size: 1000), .full)
        XCTAssertEqual(HTTPByteRange("items=0-1", size: 1000), .full)
        XCTAssertEqual(HTTPByteRange("bytes=20-10", size: 1000), .full)
        XCTAssertEqual(HTTPByteRange("bytes=a-b", size: 1000), .full)
        XCTAssertEqual(HTTPByteRange("bytes=-", size: 1000), .full)
        XCTAssertEqual(HTTPByteRange("bytes=99999999999999999999-", size: 1000), .full, "a number that does not fit is no range")
    }

    func testARangePastTheEndIsUnsatisfiable() {
        XCTAssertEqual(HTTPByteRange("bytes=1000-", size: 1000), .unsatisfiable)
        XCTAssertEqual(HTTPByteRange("bytes=-0", size: 1000), .unsatisfiable)
        XCTAssertEqual(HTTPByteRange("bytes=0-", size: 0), .unsatisfiable)
    }
}
