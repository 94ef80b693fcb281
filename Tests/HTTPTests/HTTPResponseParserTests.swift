import TestRandom
import HTTP
import XCTest

final class HTTPResponseParserTests: XCTestCase {
    /// Feeds `bytes` in pieces of `size`, drains after each, then reports the close if `close`.
    private func events(_ text: String, by size: Int = 1, close: Bool = true, method: String = "GET", limits: HTTPLimits = HTTPLimits())
        -> [HTTPResponseEvent]
    {
        let bytes = Array(text.utf8)
        var parser = HTTPResponseParser(limits: limits, method: method)
        var out: [HTTPResponseEvent] = []
        var offset = 0
        while offset < bytes.count {
            parser.receive(bytes[offset..<min(offset + size, bytes.count)])
            offset += size
            while let event = parser.nextEvent() {
                out.append(event)
                if case .error = event { return out }
            }
            XCTAssertLessThanOrEqual(parser.bufferedByteCount, max(limits.maxHeaderBytes, HTTPResponseParser.maxChunkLineBytes) + size)
        }
        if close, let last = parser.finish() { out.append(last) }
        return out
    }

    /// The head, the body joined, and whether it ended (nil on error).
    private func response(_ text: String, by size: Int = 1, close: Bool = true, method: String = "GET")
        -> (head: HTTPResponseHead, body: String, ended: Bool)?
    {
        var head: HTTPResponseHead?
        var body: [UInt8] = []
        var ended = false
        for event in events(text, by: size, close: close, method: method) {
            switch event {
            case .head(let value): head = value
            case .body(let bytes): body += bytes
            case .end: ended = true
            case .error: return nil
            }
        }
        return head.map { ($0, String(decoding: body, as: UTF8.self), ended) }
    }

    func testContentLengthBody() throws {
        for size in [1, 3, 1000] {
            let result = try XCTUnwrap(
                response("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhelloEXTRA", by: size, close: false))
            XCTAssertEqual(result.head.status, 200)
            XCTAssertEqual(result.head.reason, "OK")
            XCTAssertEqual(result.head.mediaType, "text/plain")
            XCTAssertEqual(result.body, "hello", "bytes after the body are not part of it")
            XCTAssertTrue(result.ended)
        }
    }

    func testChunkedBodyWithExtensionsAndTrailers() throws {
        let text = "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n5;name=v\r\nhello\r\nA\r\n, world!!!\r\n0\r\nX-Trailer: 1\r\n\r\n"
        for size in [1, 7, 1000] {
            let result = try XCTUnwrap(response(text, by: size, close: false))
            XCTAssertEqual(result.body, "hello, world!!!")
            XCTAssertTrue(result.ended)
        }
    }

    func testBodyUntilCloseAndICYStatusLine() throws {
        let result = try XCTUnwrap(response("ICY 200 OK\r\nicy-name: radio\r\ncontent-type: audio/mpeg\r\n\r\nMP3BYTES"))
        XCTAssertEqual(result.head.versionMinor, 0)
        XCTAssertEqual(result.head.headers["icy-name"], "radio")
        XCTAssertEqual(result.body, "MP3BYTES")
        XCTAssertTrue(result.ended, "a close-delimited body ends at the close")
        XCTAssertFalse(try XCTUnwrap(response("HTTP/1.0 200 OK\r\n\r\nabc", close: false)).ended)
    }

    func testBodilessResponsesAndInterimOnes() throws {
        XCTAssertEqual(try XCTUnwrap(response("HTTP/1.1 204 No Content\r\n\r\n", close: false)).ended, true)
        XCTAssertEqual(try XCTUnwrap(response("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n", close: false, method: "HEAD")).ended, true)
        let result = try XCTUnwrap(response("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\nno"))
        XCTAssertEqual(result.head.status, 404)
        XCTAssertEqual(result.body, "no")
        XCTAssertEqual(try XCTUnwrap(response("HTTP/1.1 302\r\nLocation: /x\r\nContent-Length: 0\r\n\r\n")).head.headers["Location"], "/x")
    }

    func testTruncatedBodiesAreErrors() {
        XCTAssertEqual(events("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort").last, .error(.truncatedBody))
        XCTAssertEqual(events("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel").last, .error(.truncatedBody))
        XCTAssertEqual(events("HTTP/1.1 200 OK\r\n").last, .error(.badStatusLine))
    }

    func testHostileResponsesFailWithTypedErrors() {
        let cases: [(String, HTTPResponseError)] = [
            ("GET / HTTP/1.1\r\n\r\n", .badStatusLine),
            ("HTTP/2 200 OK\r\n\r\n", .badVersion),
            ("HTTP/1.1 20 OK\r\n\r\n", .badStatusLine),
            ("HTTP/1.1 abc OK\r\n\r\n", .badStatusLine),
            ("HTTP/1.1 200 OK\r\nBad Header: x\r\n\r\n", .badHeader),
            ("HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\n", .badContentLength),
            ("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n", .badContentLength),
            ("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", .badContentLength),
            ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", .badChunk),
            ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFF\r\n", .badChunk),
            ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n", .badChunk),
            ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1" + String(repeating: " ", count: 2000), .badChunk),
            ("HTTP/1.1 100 Continue\r\n\r\n" + String(repeating: "HTTP/1.1 103 Early\r\n\r\n", count: 5), .badStatusLine),
        ]
        for (text, error) in cases {
            XCTAssertEqual(events(text).last, .error(error), text)
        }
    }

    func testHeadLimitsHold() {
        let limits = HTTPLimits(maxHeaderBytes: 256, maxHeaders: 4)
        let long = "HTTP/1.1 200 OK\r\nX: " + String(repeating: "a", count: 1000)
        XCTAssertEqual(events(long, by: 17, limits: limits).last, .error(.headersTooLarge))
        let many = "HTTP/1.1 200 OK\r\n" + String(repeating: "A: b\r\n", count: 5) + "\r\n"
        XCTAssertEqual(events(many, limits: limits).last, .error(.tooManyHeaders))
    }

    func testAnEndlessBodyIsNotBuffered() {
        var parser = HTTPResponseParser()
        parser.receive(Array("HTTP/1.0 200 OK\r\nContent-Type: multipart/x-mixed-replace; boundary=\"frame\"\r\n\r\n".utf8))
        guard case .head(let head)? = parser.nextEvent() else { return XCTFail("no head") }
        XCTAssertEqual(head.mediaType, "multipart/x-mixed-replace")
        XCTAssertEqual(head.contentTypeParameter("BOUNDARY"), "frame")
        var total = 0
        for _ in 0..<100 {
            parser.receive([UInt8](repeating: 7, count: 10_000))
            while case .body(let bytes)? = parser.nextEvent() { total += bytes.count }
            XCTAssertEqual(parser.bufferedByteCount, 0)
        }
        XCTAssertEqual(total, 1_000_000)
    }

    func testRandomBytesNeverTrap() {
        var random = XorShift64(seed: 99)
        let alphabet = Array("HTTP/1.1 200 OK\r\n:;0123456789abcdefChunked-Transfer-Encoding \t".utf8) + [0, 0xFF]
        for _ in 0..<500 {
            var parser = HTTPResponseParser(limits: HTTPLimits(maxHeaderBytes: 512, maxHeaders: 8))
            for _ in 0..<20 {
                parser.receive((0..<random.below(64)).map { _ in alphabet[random.below(alphabet.count)] })
                while let event = parser.nextEvent() { if case .error = event { break } }
                XCTAssertLessThanOrEqual(parser.bufferedByteCount, 512 + HTTPResponseParser.maxChunkLineBytes + 64)
            }
            _ = parser.finish()
        }
    }
}
