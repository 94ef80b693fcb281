/// A response to send. Content-Length and Connection are written by `encode`; such fields in `headers` are skipped.
public struct HTTPResponse: Sendable, Equatable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// An open-ended body (a live stream): no Content-Length, `Connection: close`, and the server hands the
    /// connection over once the head and `body` (the stream's first bytes) are written, as it does after a 101.
    public var streaming = false
    /// False for a streaming response whose new owner writes the head itself (a snapshot answered when its frame
    /// arrives): the server writes nothing and hands the connection over at once.
    public var writesHead = true
    /// For a streaming response whose body has a known length (a file sent by its new owner): its Content-Length.
    public var streamLength: Int64?

    /// A response with an optional Content-Type followed by `headers`, in order.
    public init(
        status: Int, contentType: String? = "text/plain; charset=utf-8", body: [UInt8] = [],
        headers: [(String, String)] = []
    ) {
        self.status = status
        self.body = body
        self.headers = HTTPHeaders(contentType.map { [("Content-Type", $0)] } ?? [])
        for (name, value) in headers { self.headers.add(name, value) }
    }

    /// The head of a live stream of `contentType`, handed over once written (see `streaming`).
    public static func stream(contentType: String, headers: [(String, String)] = [], opening: [UInt8] = []) -> HTTPResponse {
        var r = HTTPResponse(status: 200, contentType: contentType, body: opening, headers: headers)
        r.streaming = true
        return r
    }

    /// Nothing written: the connection is handed over for its new owner to answer later.
    public static func handOver() -> HTTPResponse {
        var r = HTTPResponse(status: 200, contentType: nil)
        r.streaming = true
        r.writesHead = false
        return r
    }

    /// A plain-text UTF-8 response.
    public static func text(_ status: Int, _ body: String) -> HTTPResponse {
        HTTPResponse(status: status, body: Array(body.utf8))
    }

    /// The RFC 9110 reason phrase for the codes this project sends, "Status" for others.
    public static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 101: "Switching Protocols"
        case 200: "OK"
        case 204: "No Content"
        case 301: "Moved Permanently"
        case 302: "Found"
        case 303: "See Other"
        case 304: "Not Modified"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 413: "Content Too Large"
        case 426: "Upgrade Required"
        case 429: "Too Many Requests"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 503: "Service Unavailable"
        case 505: "HTTP Version Not Supported"
        default: "Status"
        }
    }

    /// The bytes to send: status line, headers, Content-Length, `Connection: close` unless keepAlive, body unless headOnly.
    ///
    /// A 101 (Switching Protocols) keeps the Connection field it was given and is never marked `close`.
    /// 1xx, 204 and 304 carry neither Content-Length nor a body (RFC 9110 §8.6, §15.3.5, §15.4.5).
    public func encode(keepAlive: Bool, headOnly: Bool = false) -> [UInt8] {
        precondition((100...999).contains(status), "status \(status) is not a three-digit code")
        guard writesHead else { return [] }
        let hasBody = Self.allowsBody(status)
        precondition(hasBody || body.isEmpty, "status \(status) cannot carry a body")
        var out: [UInt8] = []
        out.reserveCapacity(256 + body.count)
        Self.appendLine("HTTP/1.1 \(status) \(Self.reasonPhrase(status))", to: &out)
        // A 101 names the protocol change in its own Connection field (RFC 9110 §7.8: `Connection: Upgrade`).
        let keepsConnectionField = status == 101
        for (name, value) in headers
        where !Self.isFramingField(name) || (keepsConnectionField && HTTPSyntax.equalsIgnoringCase(name.utf8, "Connection".utf8)) {
            Self.appendField(name, value, to: &out)
        }
        if hasBody && !streaming { Self.appendField("Content-Length", String(body.count), to: &out) }
        if hasBody && streaming, let n = streamLength { Self.appendField("Content-Length", String(n), to: &out) }
        if !keepAlive && status != 101 { Self.appendField("Connection", "close", to: &out) }
        Self.appendLine("", to: &out)
        if hasBody && !headOnly { out += body }
        return out
    }

    private static func allowsBody(_ status: Int) -> Bool {
        status >= 200 && status != 204 && status != 304
    }

    /// Fields `encode` computes itself, so a stale copy in `headers` cannot contradict the framing.
    private static func isFramingField(_ name: String) -> Bool {
        ["Content-Length", "Connection", "Transfer-Encoding"].contains { HTTPSyntax.equalsIgnoringCase($0.utf8, name.utf8) }
    }

    /// A field line; a name or value that could split the response is our bug, not the peer's.
    private static func appendField(_ name: String, _ value: String, to out: inout [UInt8]) {
        precondition(HTTPSyntax.isToken(name.utf8), "header name \(name) is not a token")
        precondition(value.utf8.allSatisfy(HTTPSyntax.isFieldValueByte), "header \(name) has a control byte")
        appendLine("\(name): \(value)", to: &out)
    }

    private static func appendLine(_ line: String, to out: inout [UInt8]) {
        out += line.utf8
        out += [HTTPSyntax.cr, HTTPSyntax.lf]
    }
}
