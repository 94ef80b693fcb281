/// One parsed request. `path` and `query` are split from `target` but not percent-decoded.
public struct HTTPRequest: Sendable, Equatable {
    public let method: String
    /// The request-target exactly as sent.
    public let target: String
    /// The target up to '?'; for an absolute-form target (`http://host/p`) only its path, "/" if empty.
    public let path: String
    /// The target after the first '?', "" if none.
    public let query: String
    /// 0 for HTTP/1.0, 1 for HTTP/1.1.
    public let versionMinor: Int
    public let headers: HTTPHeaders
    public let body: [UInt8]
    /// Whether the connection may carry another request after this one's response.
    public let keepAlive: Bool

    /// A request as the parser would build it; path, query and keepAlive are derived.
    public init(
        method: String, target: String, versionMinor: Int = 1, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []
    ) {
        precondition(versionMinor == 0 || versionMinor == 1, "HTTP/1.\(versionMinor) is not supported")
        self.method = method
        self.target = target
        self.versionMinor = versionMinor
        self.headers = headers
        self.body = body
        (path, query) = Self.split(target)
        keepAlive = Self.keepsAlive(versionMinor: versionMinor, headers: headers)
    }

    /// The first query parameter named `name`, form-decoded ('+' and %XX); nil if absent or badly escaped.
    public func queryItem(_ name: String) -> String? {
        for pair in Array(query.utf8).split(separator: UInt8(ascii: "&")) {
            let equals = pair.firstIndex(of: UInt8(ascii: "=")) ?? pair.endIndex
            guard let key = Self.formDecoded(pair[..<equals]), key == name else { continue }
            return equals == pair.endIndex ? "" : Self.formDecoded(pair[(equals + 1)...])
        }
        return nil
    }

    /// The same request carrying `body`.
    func with(body: [UInt8]) -> HTTPRequest {
        HTTPRequest(method: method, target: target, versionMinor: versionMinor, headers: headers, body: body)
    }

    private static func split(_ target: String) -> (path: String, query: String) {
        let bytes = Array(target.utf8)
        let from = originStart(bytes)
        let mark = bytes[from...].firstIndex(of: UInt8(ascii: "?")) ?? bytes.endIndex
        let path = HTTPSyntax.string(bytes[from..<mark])
        let query = mark == bytes.endIndex ? "" : HTTPSyntax.string(bytes[(mark + 1)...])
        return (path.isEmpty ? "/" : path, query)
    }

    /// Where the origin-form part starts: 0, or past `scheme://authority` for an absolute-form target.
    private static func originStart(_ bytes: [UInt8]) -> Int {
        guard let scheme = HTTPSyntax.absoluteSchemeLength(bytes) else { return 0 }
        return bytes[scheme...].firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") } ?? bytes.endIndex
    }

    /// RFC 9112 §9.3: `close` always wins; otherwise 1.1 persists and 1.0 needs `keep-alive`.
    private static func keepsAlive(versionMinor: Int, headers: HTTPHeaders) -> Bool {
        let options = headers.values(for: "Connection").flatMap(HTTPSyntax.listElements)
        if options.contains(where: { HTTPSyntax.equalsIgnoringCase($0, "close".utf8) }) { return false }
        return versionMinor == 1 || options.contains { HTTPSyntax.equalsIgnoringCase($0, "keep-alive".utf8) }
    }

    /// application/x-www-form-urlencoded decoding; nil on a truncated or non-hex escape.
    private static func formDecoded(_ bytes: ArraySlice<UInt8>) -> String? {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var iterator = bytes.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"):
                out.append(HTTPSyntax.space)
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(HTTPSyntax.hexValue),
                    let low = iterator.next().flatMap(HTTPSyntax.hexValue)
                else { return nil }
                out.append(high << 4 | low)
            default:
                out.append(byte)
            }
        }
        return HTTPSyntax.string(out)
    }
}
