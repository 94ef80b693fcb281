/// The status line and header fields of a received response.
public struct HTTPResponseHead: Sendable, Equatable {
    /// The three-digit status code.
    public let status: Int
    /// The reason phrase as sent (may be empty).
    public let reason: String
    /// 0 for HTTP/1.0 (and SHOUTcast's `ICY`), 1 for HTTP/1.1.
    public let versionMinor: Int
    public let headers: HTTPHeaders

    public init(status: Int, reason: String = "", versionMinor: Int = 1, headers: HTTPHeaders = HTTPHeaders()) {
        self.status = status
        self.reason = reason
        self.versionMinor = versionMinor
        self.headers = headers
    }

    /// The media type of Content-Type, lowercased, without parameters ("" if absent).
    public var mediaType: String {
        let value = headers["Content-Type"] ?? ""
        let type = value.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return String(decoding: HTTPSyntax.trimmed(Array(type.utf8)[...]).map(HTTPSyntax.lowercased), as: UTF8.self)
    }

    /// The value of the Content-Type parameter `name` (case-insensitive), unquoted; nil if absent.
    public func contentTypeParameter(_ name: String) -> String? {
        guard let value = headers["Content-Type"] else { return nil }
        for parameter in value.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1)
            guard pair.count == 2 else { continue }
            let key = HTTPSyntax.trimmed(Array(pair[0].utf8)[...])
            guard HTTPSyntax.equalsIgnoringCase(key, name.utf8) else { continue }
            var raw = HTTPSyntax.trimmed(Array(pair[1].utf8)[...])
            if raw.count >= 2, raw.first == UInt8(ascii: "\""), raw.last == UInt8(ascii: "\"") { raw = raw.dropFirst().dropLast() }
            return HTTPSyntax.string(raw)
        }
        return nil
    }
}
