import HTTP

/// A connection an `HTTPServer` answered with 101 and handed over: its descriptor (non-blocking, now owned by
/// whoever took it), the request that asked for the switch, and any bytes that came after that request.
public struct HTTPUpgrade: Sendable {
    public let fd: Int32
    public let request: HTTPRequest
    public let leftover: [UInt8]
}
