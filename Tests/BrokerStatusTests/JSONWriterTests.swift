import XCTest

@testable import BrokerStatus

final class JSONWriterTests: XCTestCase {
    func testCommasKeysAndNesting() {
        var w = JSONWriter()
        w.beginObject()
        w.string("a", "x")
        w.int("b", 2)
        w.beginArray("c")
        w.int(nil, 1)
        w.bool(nil, true)
        w.null()
        w.beginObject()
        w.endObject()
        w.endArray()
        w.double("d", 1.5)
        w.double("e", 3)
        w.double("f", .nan)
        w.string("g", nil)
        w.endObject()
        XCTAssertEqual(w.text, #"{"a":"x","b":2,"c":[1,true,null,{}],"d":1.5,"e":3,"f":null,"g":null}"#)
    }

    func testStringsAreEscaped() {
        var w = JSONWriter()
        w.string(nil, "q\"b\\n\nt\tc\u{01}</script>\u{2028}é")
        XCTAssertEqual(w.text, #""q\"b\\n\nt\tc\u0001\u003c/script\u003e\u2028é""#)
    }

    func testTheOutputParsesAsJSON() throws {
        var w = JSONWriter()
        w.beginObject()
        w.string("k\"ey", "v\u{0}")
        w.beginArray("list")
        for i in 0..<3 { w.int(nil, i) }
        w.endArray()
        w.endObject()
        let parsed = try JSONSerialization.jsonObject(with: Data(w.text.utf8)) as? [String: Any]
        XCTAssertEqual(parsed?["k\"ey"] as? String, "v\u{0}")
        XCTAssertEqual(parsed?["list"] as? [Int], [0, 1, 2])
    }
}
