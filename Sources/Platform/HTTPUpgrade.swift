import HTTP
import Wire

/// A connection an `HTTPServer` answered with 101 (or with a streaming response) and handed over: its descriptor
/// (non-blocking, now owned by whoever took it), the request that asked for it, any bytes that came after that
/// request, and who connected.
public struct HTTPUpgrade: Sendable {
    public let fd: Int32
    public let request: HTTPRequest
    public let leftover: [UInt8]
    public let peer: PeerAddress?
}
