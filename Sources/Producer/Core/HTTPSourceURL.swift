/// An `http://host[:port]/path?query` URL of a live source, split for the request (no I/O, no resolution).
public struct HTTPSourceURL: Equatable, Sendable, CustomStringConvertible {
    /// Why a URL is refused.
    public enum Problem: Error, Equatable, Sendable {
        case notHTTP
        case noHost
        case badPort
        case userInfo
        case badCharacter

        public var text: String {
            switch self {
            case .notHTTP: "it does not start with http://"
            case .noHost: "it names no host"
            case .badPort: "its port is not 1-65535"
            case .userInfo: "user:password@ in the URL is not supported"
            case .badCharacter: "it contains spaces or control characters"
            }
        }
    }

    /// Longest URL accepted (a redirect's Location included).
    public static let maxLength = 2048

    /// The host as written (brackets stripped from an IPv6 literal).
    public let host: String
    public let port: UInt16
    /// The request target: path and query, "/" at least.
    public let target: String

    /// `host:port` for the resolver (`[v6]:port` for an IPv6 literal).
    public var hostPort: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
    /// The Host header: the port only when it is not 80.
    public var hostHeader: String {
        let name = host.contains(":") ? "[\(host)]" : host
        return port == 80 ? name : "\(name):\(port)"
    }
    public var description: String { "http://\(hostHeader)\(target)" }

    /// Parses an absolute http URL; the fragment is dropped.
    public static func parse(_ text: String) -> Result<HTTPSourceURL, Problem> {
        guard text.utf8.count <= maxLength, text.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else {
            return .failure(.badCharacter)
        }
        guard text.lowercased().hasPrefix("http://") else { return .failure(.notHTTP) }
        var rest = Substring(text.dropFirst(7))
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        let slash = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        let authority = rest[..<slash]
        var target = String(rest[slash...])
        if target.isEmpty || target.hasPrefix("?") { target = "/" + target }
        guard !authority.contains("@") else { return .failure(.userInfo) }
        return hostAndPort(authority).map { HTTPSourceURL(host: $0.host, port: $0.port, target: target) }
    }

    /// The URL a redirect's Location names: absolute (http only), or a path on this host.
    public func following(_ location: String) -> Result<HTTPSourceURL, Problem> {
        if location.hasPrefix("/") && !location.hasPrefix("//") {
            guard location.utf8.count <= Self.maxLength, location.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else {
                return .failure(.badCharacter)
            }
            return .success(HTTPSourceURL(host: host, port: port, target: location))
        }
        return Self.parse(location)
    }

    private static func hostAndPort(_ authority: Substring) -> Result<(host: String, port: UInt16), Problem> {
        var host = authority
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return .failure(.noHost) }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { return .failure(.badPort) }
                portText = after.dropFirst()
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        }
        guard !host.isEmpty else { return .failure(.noHost) }
        var port: UInt16 = 80
        if let portText {
            guard let parsed = UInt16(portText), parsed > 0 else { return .failure(.badPort) }
            port = parsed
        }
        return .success((String(host), port))
    }
}
