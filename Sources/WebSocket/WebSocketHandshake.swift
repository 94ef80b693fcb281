import Crypto
import HTTP

/// The server side of the opening handshake (RFC 6455 §4.2): checks an upgrade request and builds the 101 that
/// accepts it, or the error response that refuses it. Pure; the caller writes the response.
///
/// Origin policy (§10.2): a browser always sends `Origin`; the upgrade is refused (403) unless it names the same
/// host and port as `Host`, so a page from another site cannot open the viewer's socket. `Host` itself must be an
/// IP literal or `localhost`, so a site that rebinds its DNS name to 127.0.0.1 is refused too. A request without
/// `Origin` does not come from a browser page and is accepted (command-line tools).
public enum WebSocketHandshake {
    /// The GUID every accept value is derived with (§1.3).
    public static let guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

    /// `Sec-WebSocket-Accept` for a client's `Sec-WebSocket-Key`.
    public static func acceptValue(key: String) -> String {
        Base64.encode(SHA1.digest(Array((key + guid).utf8)))
    }

    /// Whether `request` asks for a WebSocket at all (then `respond` decides whether it gets one).
    public static func isUpgrade(_ request: HTTPRequest) -> Bool {
        request.headers.values(for: "Upgrade").contains { hasToken($0, "websocket") }
    }

    /// The 101 that completes the handshake, or the refusal: 400 malformed, 403 another origin or host, 426 a
    /// version other than 13.
    public static func respond(to request: HTTPRequest) -> HTTPResponse {
        guard request.method == "GET", request.versionMinor == 1 else { return refuse(400, "a WebSocket upgrade is a GET over HTTP/1.1") }
        guard isUpgrade(request), request.headers.values(for: "Connection").contains(where: { hasToken($0, "upgrade") }) else {
            return refuse(400, "missing Upgrade: websocket or Connection: Upgrade")
        }
        guard request.headers.values(for: "Sec-WebSocket-Version") == ["13"] else {
            return HTTPResponse(status: 426, body: Array("only WebSocket version 13\n".utf8), headers: [("Sec-WebSocket-Version", "13")])
        }
        let keys = request.headers.values(for: "Sec-WebSocket-Key")
        guard keys.count == 1, let nonce = Base64.decode(keys[0].trimmingSpaces), nonce.count == 16 else {
            return refuse(400, "Sec-WebSocket-Key must be 16 bytes in base64")
        }
        let hosts = request.headers.values(for: "Host")
        guard hosts.count == 1, isLiteralHost(hosts[0]) else { return refuse(403, "Host must be an IP address or localhost") }
        let origins = request.headers.values(for: "Origin")
        guard origins.count <= 1 else { return refuse(403, "more than one Origin") }
        if let origin = origins.first, !sameOrigin(origin, host: hosts[0]) { return refuse(403, "cross-origin WebSocket refused") }
        return HTTPResponse(
            status: 101, contentType: nil,
            headers: [("Upgrade", "websocket"), ("Connection", "Upgrade"), ("Sec-WebSocket-Accept", acceptValue(key: keys[0].trimmingSpaces))])
    }

    private static func refuse(_ status: Int, _ why: String) -> HTTPResponse { .text(status, why + "\n") }

    /// `http://host:port` or `https://host:port` naming exactly `host` (ASCII case-insensitive).
    static func sameOrigin(_ origin: String, host: String) -> Bool {
        let o = origin.lowercased()
        let h = host.lowercased()
        return o == "http://" + h || o == "https://" + h
    }

    /// `127.0.0.1`, `127.0.0.1:8080`, `[::1]:8080`, `localhost:8080`: an address, not a name that DNS could move.
    static func isLiteralHost(_ host: String) -> Bool {
        let h = host.lowercased()
        if h.hasPrefix("[") {
            guard let close = h.firstIndex(of: "]") else { return false }
            let inside = h[h.index(after: h.startIndex)..<close]
            return !inside.isEmpty && inside.allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." } && validPort(h[h.index(after: close)...])
        }
        let name = h.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        let port = name.count == 2 ? ":" + name[1] : ""
        guard validPort(Substring(port)) else { return false }
        if name[0] == "localhost" { return true }
        let parts = name[0].split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { $0.count >= 1 && $0.count <= 3 && $0.allSatisfy(\.isASCII) && UInt8($0) != nil }
    }

    private static func validPort(_ s: Substring) -> Bool {
        s.isEmpty || (s.first == ":" && s.count >= 2 && s.count <= 6 && s.dropFirst().allSatisfy { $0.isASCII && $0.isNumber })
    }

    /// A comma-separated list (RFC 9110 §5.6.1) holding `token`, ASCII case-insensitively.
    static func hasToken(_ list: String, _ token: String) -> Bool {
        list.split(separator: ",").contains { $0.trimmingSpaces.lowercased() == token }
    }
}
