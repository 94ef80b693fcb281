import TestRandom
import HTTP
import XCTest

final class HTTPRequestParserTests: XCTestCase {
    private let get = "GET /metrics?format=text HTTP/1.1\r\nHost: localhost\r\nAccept: */*\r\n\r\n"

    /// Feeds `pieces` one receive each and collects every event, draining after each receive.
    private func events(_ pieces: [[UInt8]], limits: HTTPLimits = HTTPLimits()) -> [HTTPParserEvent] {
        var parser = HTTPRequestParser(limits: limits)
        var out: [HTTPParserEvent] = []
        for piece in pieces {
            parser.receive(piece)
            while let event = parser.nextEvent() {
                out.append(event)
                if case .error = event { return out }
            }
        }
        return out
    }

    private func events(_ text: String, limits: HTTPLimits = HTTPLimits()) -> [HTTPParserEvent] {
        events([Array(text.utf8)], limits: limits)
    }

    private func request(_ text: String) -> HTTPRequest? {
        guard case .request(let request)? = events(text).first else { return nil }
        return request
    }

    private func assertError(
        _ text: String, _ error: HTTPParseError, status: Int, limits: HTTPLimits = HTTPLimits(),
        line: UInt = #line
    ) {
        XCTAssertEqual(events(text, limits: limits).last, .error(error), line: line)
        XCTAssertEqual(error.status, status, line: line)
    }

    // MARK: Requests

    func testSimpleGet() throws {
        let request = try XCTUnwrap(request(get))
        XCTAssertEqual(request.method, "GET")
        XCTAssertEqual(request.target, "/metrics?format=text")
        XCTAssertEqual(request.path, "/metrics")
        XCTAssertEqual(request.query, "format=text")
        XCTAssertEqual(request.versionMinor, 1)
        XCTAssertEqual(request.headers["host"], "localhost")
        XCTAssertEqual(request.headers["Accept"], "*/*")
        XCTAssertEqual(request.body, [])
        XCTAssertTrue(request.keepAlive)
    }

    func testByteByByteGivesSameRequest() {
        let whole = events(get)
        let bytes = events(Array(get.utf8).map { [$0] })
        XCTAssertEqual(whole.count, 1)
        XCTAssertEqual(bytes, whole)
    }

    func testPipelinedRequestsComeOutOnePerCall() {
        var parser = HTTPRequestParser()
        parser.receive(Array((get + "GET /b HTTP/1.1\r\nHost: h\r\n\r\nGET /c").utf8))
        guard case .request(let first)? = parser.nextEvent(), case .request(let second)? = parser.nextEvent() else {
            return XCTFail("expected two requests")
        }
        XCTAssertEqual(first.path, "/metrics")
        XCTAssertEqual(second.path, "/b")
        XCTAssertNil(parser.nextEvent())
        XCTAssertEqual(parser.bufferedByteCount, 6)
    }

    func testKeepAliveRules() {
        let cases: [(String, Bool)] = [
            ("GET / HTTP/1.1\r\nHost: h\r\n\r\n", true),
            ("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", false),
            ("GET / HTTP/1.1\r\nHost: h\r\nConnection: Upgrade, CLOSE\r\n\r\n", false),
            ("GET / HTTP/1.0\r\n\r\n", false),
            ("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", true),
            ("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", true),
            ("GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n", false),
        ]
        for (text, keepAlive) in cases { XCTAssertEqual(request(text)?.keepAlive, keepAlive, text) }
    }

    func testQueryDecoding() throws {
        let request = try XCTUnwrap(request("GET /q?a=1+2&b=%41%2f&a=dup&flag&bad=%4&worse=%zz&e= HTTP/1.1\r\nHost: h\r\n\r\n"))
        XCTAssertEqual(request.queryItem("a"), "1 2")
        XCTAssertEqual(request.queryItem("b"), "A/")
        XCTAssertEqual(request.queryItem("flag"), "")
        XCTAssertEqual(request.queryItem("e"), "")
        XCTAssertNil(request.queryItem("bad"))
        XCTAssertNil(request.queryItem("worse"))
        XCTAssertNil(request.queryItem("missing"))
        XCTAssertEqual(HTTPRequest(method: "GET", target: "/p?x+y=%C3%A9").queryItem("x y"), "é")
        XCTAssertEqual(HTTPRequest(method: "GET", target: "/p").query, "")
    }

    func testPostBodySplitAcrossReceives() {
        let head = "POST /push HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n0123"
        var parser = HTTPRequestParser()
        parser.receive(Array(head.utf8))
        XCTAssertNil(parser.nextEvent())
        parser.receive(Array("45".utf8))
        XCTAssertNil(parser.nextEvent())
        parser.receive(Array("6789GET".utf8))
        guard case .request(let request)? = parser.nextEvent() else { return XCTFail("expected the POST") }
        XCTAssertEqual(request.method, "POST")
        XCTAssertEqual(request.body, Array("0123456789".utf8))
        XCTAssertNil(parser.nextEvent())
        XCTAssertEqual(parser.bufferedByteCount, 3)
    }

    func testRepeatedIdenticalContentLength() {
        let text = "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\nContent-Length: 2, 2\r\n\r\nok"
        XCTAssertEqual(request(text)?.body, Array("ok".utf8))
    }

    func testBareLineFeedsAndLeadingEmptyLines() throws {
        let request = try XCTUnwrap(request("\r\n\nGET /x HTTP/1.1\nHost: h\nX:  spaced value \t\n\n"))
        XCTAssertEqual(request.path, "/x")
        XCTAssertEqual(request.headers["x"], "spaced value")
        assertError("\r\n\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n", .badRequestLine, status: 400)
    }

    func testTargetForms() {
        XCTAssertEqual(request("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n")?.path, "*")
        let absolute = request("GET http://example.com:8080/a/b?c=d HTTP/1.1\r\nHost: example.com\r\n\r\n")
        XCTAssertEqual(absolute?.path, "/a/b")
        XCTAssertEqual(absolute?.query, "c=d")
        XCTAssertEqual(request("GET HTTPS://example.com HTTP/1.1\r\nHost: h\r\n\r\n")?.path, "/")
        XCTAssertEqual(request("GET /caf%C3%A9 HTTP/1.1\r\nHost: h\r\n\r\n")?.path, "/caf%C3%A9")
        XCTAssertEqual(request("GET / HTTP/1.1\r\nHost: h\r\nX: caf\u{e9}\r\n\r\n")?.headers["X"], "caf\u{e9}")
    }

    // MARK: Errors

    func testRequestLineErrors() {
        for text in [
            "GET /\r\n\r\n", "GET  / HTTP/1.1\r\n\r\n", "GET / HTTP/1.1 \r\n\r\n", "G(T / HTTP/1.1\r\n\r\n",
            " GET / HTTP/1.1\r\n\r\n", "GET x HTTP/1.1\r\n\r\n", "GET * HTTP/1.1\r\n\r\n",
            "CONNECT host:443 HTTP/1.1\r\n\r\n", "GET /a b HTTP/1.1\r\n\r\n", "GET /\u{e9} HTTP/1.1\r\n\r\n",
            "GET /\u{7f} HTTP/1.1\r\n\r\n", "GET / http/1.1\r\n\r\n", "GET / HTTP/1.1x\r\n\r\n", "GET / HTTP/\r\n\r\n",
            "GET / HTTP/1.1\rHost: h\r\n\r\n", "\rGET / HTTP/1.1\r\n\r\n", "GÉT / HTTP/1.1\r\n\r\n",
        ] {
            assertError(text, .badRequestLine, status: 400)
        }
    }

    func testBadVersion() {
        for version in ["HTTP/2.0", "HTTP/1.2", "HTTP/0.9", "HTTP/3"] {
            assertError("GET / \(version)\r\nHost: h\r\n\r\n", .badVersion, status: 505)
        }
    }

    func testHeaderErrors() {
        for header in [
            "Host : h", "Host", ": x", " Folded: x", "\tFolded: x", "X: a\u{0}b", "X: a\rb", "X: a\u{1b}", "X: \u{7f}",
            "Na\u{e9}me: x", "X(: y",
        ] {
            assertError("GET / HTTP/1.1\r\nHost: h\r\n\(header)\r\n\r\n", .badHeader, status: 400)
        }
        assertError("GET / HTTP/1.1\r\nHost: h\r\nX: y\r\n obs-fold\r\n\r\n", .badHeader, status: 400)
    }

    func testHostRequirement() {
        assertError("GET / HTTP/1.1\r\n\r\n", .badHost, status: 400)
        assertError("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", .badHost, status: 400)
        assertError("GET / HTTP/1.0\r\nHost: a\r\nhost: a\r\n\r\n", .badHost, status: 400)
    }

    func testContentLengthErrors() {
        for value in ["", "-1", "+5", "1.0", "0x10", "5, 6", "5,", "1 2"] {
            assertError("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: \(value)\r\n\r\n", .badContentLength, status: 400)
        }
        assertError(
            "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", .badContentLength,
            status: 400)
    }

    func testBodyTooLargeReportedBeforeBodyArrives() {
        assertError("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 65537\r\n\r\n", .bodyTooLarge, status: 413)
        assertError(
            "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999999999999999999\r\n\r\n", .bodyTooLarge, status: 413)
        XCTAssertEqual(request("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n")?.body, [])
    }

    func testTransferEncodingRefused() {
        assertError(
            "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n", .unsupportedTransferEncoding, status: 501)
        assertError(
            "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\nabc",
            .unsupportedTransferEncoding, status: 501)
    }

    func testHeadersTooLargeAtTheLimit() {
        let limits = HTTPLimits(maxHeaderBytes: 64)
        let head = "GET / HTTP/1.1\r\nHost: h\r\nX: "
        let fits = head + String(repeating: "a", count: 64 - head.utf8.count - 4) + "\r\n\r\n"
        XCTAssertEqual(fits.utf8.count, 64)
        guard case .request? = events(fits, limits: limits).first else { return XCTFail("64 bytes should fit") }
        assertError(
            head + String(repeating: "a", count: 64 - head.utf8.count - 3) + "\r\n\r\n", .headersTooLarge,
            status: 431, limits: limits)
    }

    func testTooManyHeaders() {
        let limits = HTTPLimits(maxHeaders: 3)
        let three = "GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\n"
        guard case .request? = events(three + "\r\n", limits: limits).first else { return XCTFail("3 headers fit") }
        assertError(three + "C: 3\r\n\r\n", .tooManyHeaders, status: 431, limits: limits)
    }

    func testSlowLorisIsCutOffAtTheLimit() {
        var parser = HTTPRequestParser()
        parser.receive(Array("GET / HTTP/1.1\r\n".utf8))
        let piece = Array("X-Loris: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n".utf8)
        var sent = 0
        var result: HTTPParserEvent?
        while sent < 1_000_000 && result == nil {
            parser.receive(piece)
            sent += piece.count
            result = parser.nextEvent()
            XCTAssertLessThanOrEqual(parser.bufferedByteCount, parser.limits.maxHeaderBytes + piece.count)
        }
        XCTAssertEqual(result, .error(.headersTooLarge))
        XCTAssertLessThan(sent, parser.limits.maxHeaderBytes + 2 * piece.count)
        parser.receive(piece)
        XCTAssertEqual(parser.bufferedByteCount, 0)
    }

    func testOneMegabyteWithoutEndOfHeadInOneReceive() {
        var parser = HTTPRequestParser()
        parser.receive([UInt8](repeating: UInt8(ascii: "a"), count: 1 << 20))
        XCTAssertEqual(parser.nextEvent(), .error(.headersTooLarge))
        XCTAssertEqual(parser.bufferedByteCount, 0)
    }

    func testErrorIsSticky() {
        var parser = HTTPRequestParser()
        parser.receive(Array("GET / HTTP/2.0\r\n\r\n".utf8))
        XCTAssertEqual(parser.nextEvent(), .error(.badVersion))
        parser.receive(Array(get.utf8))
        for _ in 0..<3 { XCTAssertEqual(parser.nextEvent(), .error(.badVersion)) }
        XCTAssertEqual(parser.bufferedByteCount, 0)
    }

    func testReasonsMentionLimits() {
        let limits = HTTPLimits(maxHeaderBytes: 100, maxHeaders: 5, maxBodyBytes: 7)
        XCTAssertEqual(HTTPParseError.headersTooLarge.reason(limits: limits), "request headers exceed 100 bytes")
        XCTAssertEqual(HTTPParseError.tooManyHeaders.reason(limits: limits), "more than 5 request headers")
        XCTAssertEqual(HTTPParseError.bodyTooLarge.reason(limits: limits), "request body exceeds 7 bytes")
        XCTAssertEqual(HTTPParseError.badHeader.reason(limits: limits), HTTPParseError.badHeader.reason)
    }

    // MARK: Robustness

    func testPipelinedBufferStaysCompact() {
        var parser = HTTPRequestParser()
        let one = Array("GET /p HTTP/1.1\r\nHost: h\r\n\r\n".utf8)
        for _ in 0..<10_000 {
            parser.receive(one)
            guard case .request? = parser.nextEvent() else { return XCTFail("expected a request") }
            XCTAssertNil(parser.nextEvent())
            XCTAssertEqual(parser.bufferedByteCount, 0)
        }
    }

    func testSeededFuzzNeverTrapsAndIgnoresChunking() {
        var random = XorShift64(seed: 0x9E37_79B9_7F4A_7C15)
        let small = HTTPLimits(maxHeaderBytes: 96, maxHeaders: 4, maxBodyBytes: 16)
        for iteration in 0..<20_000 {
            let input = fuzzInput(&random)
            let limits = iteration % 2 == 0 ? HTTPLimits() : small
            let whole = events([input], limits: limits)
            let pieces = split(input, &random)
            XCTAssertEqual(events(pieces, limits: limits), whole, "iteration \(iteration)")
            checkBoundedAndSticky(pieces, limits: limits)
        }
    }

    /// Feeds `pieces`, checking the memory bound after each drain and that an error repeats forever.
    private func checkBoundedAndSticky(_ pieces: [[UInt8]], limits: HTTPLimits) {
        var parser = HTTPRequestParser(limits: limits)
        for piece in pieces {
            parser.receive(piece)
            while let event = parser.nextEvent() {
                guard case .error = event else { continue }
                parser.receive(piece)
                XCTAssertEqual(parser.nextEvent(), event)
                XCTAssertEqual(parser.bufferedByteCount, 0)
                return
            }
            XCTAssertLessThanOrEqual(parser.bufferedByteCount, limits.maxHeaderBytes + limits.maxBodyBytes)
        }
    }

    private func split(_ input: [UInt8], _ random: inout XorShift64) -> [[UInt8]] {
        var pieces: [[UInt8]] = []
        var index = 0
        while index < input.count {
            let size = 1 + random.below(random.below(4) == 0 ? 64 : 4)
            pieces.append(Array(input[index..<min(input.count, index + size)]))
            index += size
        }
        return pieces
    }

    private static let corpus: [[UInt8]] = [
        "GET / HTTP/1.1\r\nHost: h\r\n\r\n",
        "GET /metrics?a=1&b=%20 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
        "POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello",
        "POST /x HTTP/1.1\nHost: h\nContent-Length: 12\n\nhello world!",
        "OPTIONS * HTTP/1.1\r\nHost: h\r\nA: b\r\nC:d\r\n\r\n",
        "\r\nHEAD http://h/p HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    ].map { Array($0.utf8) }

    private static let interesting: [UInt8] = Array("\r\n\r\n \t:/?%+0123456789HTTP/1.-,;".utf8) + [0, 0x7F, 0x80, 0xFF]

    private func fuzzInput(_ random: inout XorShift64) -> [UInt8] {
        if random.below(10) == 0 {
            return (0..<random.below(200)).map { _ in Self.interesting[random.below(Self.interesting.count)] }
        }
        var input = Self.corpus[random.below(Self.corpus.count)]
        for _ in 0...random.below(4) { mutate(&input, &random) }
        return input
    }

    private func mutate(_ input: inout [UInt8], _ random: inout XorShift64) {
        let position = random.below(input.count + 1)
        let byte = random.below(2) == 0 ? Self.interesting[random.below(Self.interesting.count)] : UInt8(random.below(256))
        switch random.below(6) {
        case 0 where position < input.count: input[position] = byte
        case 1: input.insert(byte, at: position)
        case 2 where position < input.count: input.remove(at: position)
        case 3: input.removeSubrange(position...)
        case 4: input += Self.corpus[random.below(Self.corpus.count)]
        default:
            let end = min(input.count, position + random.below(40))
            input.insert(contentsOf: input[position..<end], at: position)
        }
    }
}
