import TestRandom
import WebSocket
import XCTest

final class Base64Tests: XCTestCase {
    func testBase64RoundTripsAndRefusesJunk() {
        XCTAssertEqual(Base64.encode(Array("".utf8)), "")
        XCTAssertEqual(Base64.encode(Array("f".utf8)), "Zg==")
        XCTAssertEqual(Base64.encode(Array("fo".utf8)), "Zm8=")
        XCTAssertEqual(Base64.encode(Array("foobar".utf8)), "Zm9vYmFy")
        var rng = XorShift64(seed: 7)
        for n in 0..<70 {
            let bytes = (0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            XCTAssertEqual(Base64.decode(Base64.encode(bytes)), bytes)
        }
        for junk in ["Zg=", "Zh==", "Z===", "Zg==Zg==", "Zm9v!mFy", "====", "Zm=8"] { XCTAssertNil(Base64.decode(junk), junk) }
    }
}
