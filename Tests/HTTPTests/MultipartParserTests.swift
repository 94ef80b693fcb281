import TestRandom
import HTTP
import XCTest

final class MultipartParserTests: XCTestCase {
    private func parts(_ text: [UInt8], boundary: String = "frame", by size: Int = 1, maxPartBytes: Int = 1 << 20) -> (
        parts: [MultipartParser.Part], parser: MultipartParser
    ) {
        var parser = MultipartParser(boundary: boundary, maxPartBytes: maxPartBytes)
        var out: [MultipartParser.Part] = []
        var offset = 0
        while offset < text.count {
            parser.receive(text[offset..<min(offset + size, text.count)])
            offset += size
            while let part = parser.nextPart() { out.append(part) }
            XCTAssertLessThanOrEqual(parser.bufferedByteCount, maxPartBytes + 512 + size)
        }
        return (out, parser)
    }

    private func part(_ body: String, length: Bool = true) -> String {
        "--frame\r\nContent-Type: image/jpeg\r\n" + (length ? "Content-Length: \(body.utf8.count)\r\n" : "") + "\r\n" + body + "\r\n"
    }

    func testBoundaryComesFromContentType() {
        func boundary(_ value: String) -> String? {
            MultipartParser.boundary(of: HTTPResponseHead(status: 200, headers: HTTPHeaders([("Content-Type", value)])))
        }
        XCTAssertEqual(boundary("multipart/x-mixed-replace;boundary=frame"), "frame")
        XCTAssertEqual(boundary("multipart/x-mixed-replace; boundary=\"--myboundary\""), "myboundary")
        XCTAssertNil(boundary("image/jpeg; boundary=frame"))
        XCTAssertNil(boundary("multipart/x-mixed-replace"))
        XCTAssertNil(boundary("multipart/x-mixed-replace; boundary=" + String(repeating: "x", count: 71)))
        XCTAssertNil(boundary("multipart/x-mixed-replace; boundary=\"a b\""))
    }

    func testPartsWithAndWithoutContentLength() {
        // A body may contain "--frame" not at a line start, and CRLFs; with Content-Length it may contain anything.
        let bodies = ["first", "x--frame\r\ny", "\r\n--frame\r\n"]
        let withLength = Array(("preamble\r\n" + bodies.map { part($0) }.joined() + "--frame--\r\n").utf8)
        for size in [1, 5, 4096] {
            XCTAssertEqual(parts(withLength, by: size).parts.map { String(decoding: $0.body, as: UTF8.self) }, bodies)
        }
        let delimited = Array((bodies.prefix(2).map { part($0, length: false) }.joined() + "--frame--\r\n").utf8)
        for size in [1, 5, 4096] {
            let result = parts(delimited, by: size)
            XCTAssertEqual(result.parts.map { String(decoding: $0.body, as: UTF8.self) }, Array(bodies.prefix(2)))
            XCTAssertEqual(result.parts.first?.headers["Content-Type"], "image/jpeg")
        }
    }

    func testFourDashesAndBareLFAreAccepted() {
        let text = Array("----frame\nContent-Length: 2\n\nab\n----frame\n\ncd\n----frame\n".utf8)
        XCTAssertEqual(parts(text).parts.map(\.body), [Array("ab".utf8), Array("cd".utf8)])
    }

    func testOversizeAndMalformedPartsAreDroppedAndCounted() {
        let big = String(repeating: "B", count: 500)
        let text = Array((part("ok1") + part(big) + part(big, length: false) + "--frame\r\nbad header\r\n\r\nzz\r\n" + part("ok2")).utf8)
        for size in [1, 100] {
            let result = parts(text, by: size, maxPartBytes: 100)
            XCTAssertEqual(result.parts.map { String(decoding: $0.body, as: UTF8.self) }, ["ok1", "ok2"], "pieces of \(size)")
            XCTAssertEqual(result.parser.droppedParts, 3)
            XCTAssertEqual(result.parser.parts, 2)
        }
    }

    func testJunkWithoutDelimitersIsNotBuffered() {
        var parser = MultipartParser(boundary: "frame")
        for _ in 0..<100 {
            parser.receive([UInt8](repeating: 0x2D, count: 10_000))
            XCTAssertNil(parser.nextPart())
        }
        XCTAssertLessThanOrEqual(parser.bufferedByteCount, 8)
        XCTAssertGreaterThan(parser.skippedBytes, 990_000)
    }

    func testRandomBytesNeverTrap() {
        var random = XorShift64(seed: 5)
        let pieces = ["--frame", "\r\n", "\n", "Content-Length: ", "3", "99", ":", "x"].map { Array($0.utf8) }
        for _ in 0..<300 {
            var bytes: [UInt8] = []
            for _ in 0..<random.below(80) { bytes += pieces[random.below(pieces.count)] }
            let result = parts(bytes, by: 1 + random.below(9), maxPartBytes: 64)
            for part in result.parts { XCTAssertLessThanOrEqual(part.body.count, 64) }
        }
    }
}
