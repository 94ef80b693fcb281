import HTTP
import XCTest

final class HTTPResponseTests: XCTestCase {
    private func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    func testTextBodyExactBytes() {
        let bytes = HTTPResponse.text(200, "hello\n").encode(keepAlive: true)
        XCTAssertEqual(
            text(bytes), "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 6\r\n\r\nhello\n")
    }

    func testHeadOnlyKeepsContentLengthButDropsBody() {
        let bytes = HTTPResponse.text(200, "hello").encode(keepAlive: true, headOnly: true)
        XCTAssertEqual(text(bytes), "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 5\r\n\r\n")
    }

    func testNotKeepAliveAddsConnectionClose() {
        let bytes = HTTPResponse.text(404, "no").encode(keepAlive: false)
        XCTAssertEqual(
            text(bytes),
            "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 2\r\nConnection: close\r\n\r\nno")
    }

    func testCustomHeadersInOrderAndFramingFieldsComputed() {
        let response = HTTPResponse(
            status: 302, contentType: nil,
            headers: [("Location", "/x"), ("content-length", "99"), ("Connection", "keep-alive"), ("X-A", "1")])
        XCTAssertEqual(
            text(response.encode(keepAlive: false)),
            "HTTP/1.1 302 Found\r\nLocation: /x\r\nX-A: 1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    }

    func testBinaryBodyAndContentType() {
        let response = HTTPResponse(status: 200, contentType: "application/octet-stream", body: [0, 255, 10])
        let bytes = response.encode(keepAlive: true)
        XCTAssertEqual(Array(bytes.suffix(3)), [0, 255, 10])
        XCTAssertTrue(text(bytes).contains("Content-Type: application/octet-stream\r\nContent-Length: 3\r\n\r\n"))
    }

    func testNoContentHasNoContentLength() {
        let bytes = HTTPResponse(status: 204, contentType: nil).encode(keepAlive: true)
        XCTAssertEqual(text(bytes), "HTTP/1.1 204 No Content\r\n\r\n")
    }

    func testReasonPhrases() {
        let expected: [Int: String] = [
            200: "OK", 204: "No Content", 301: "Moved Permanently", 302: "Found", 303: "See Other", 304: "Not Modified",
            400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
            408: "Request Timeout", 413: "Content Too Large", 429: "Too Many Requests",
            431: "Request Header Fields Too Large", 500: "Internal Server Error", 501: "Not Implemented",
            503: "Service Unavailable", 505: "HTTP Version Not Supported", 418: "Status", 299: "Status",
        ]
        for (status, phrase) in expected { XCTAssertEqual(HTTPResponse.reasonPhrase(status), phrase, "\(status)") }
    }

    func testErrorResponseFromParseError() {
        let error = HTTPParseError.headersTooLarge
        let bytes = HTTPResponse.text(error.status, error.reason(limits: HTTPLimits())).encode(keepAlive: false)
        XCTAssertTrue(text(bytes).hasPrefix("HTTP/1.1 431 Request Header Fields Too Large\r\n"))
        XCTAssertTrue(text(bytes).hasSuffix("\r\n\r\nrequest headers exceed 8192 bytes"))
    }
}
