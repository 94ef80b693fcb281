/// Bounds on what one request may make the parser buffer.
public struct HTTPLimits: Sendable, Equatable {
    /// Most bytes in a request head: request line, header lines and the empty line ending them.
    public var maxHeaderBytes: Int
    /// Most header field lines in one request.
    public var maxHeaders: Int
    /// Largest Content-Length accepted.
    public var maxBodyBytes: Int

    /// Limits suited to a small control endpoint (8 KiB head, 64 headers, 64 KiB body).
    public init(maxHeaderBytes: Int = 8192, maxHeaders: Int = 64, maxBodyBytes: Int = 65_536) {
        self.maxHeaderBytes = maxHeaderBytes
        self.maxHeaders = maxHeaders
        self.maxBodyBytes = maxBodyBytes
    }
}
