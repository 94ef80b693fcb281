/// What the response parser produced from the bytes received so far.
public enum HTTPResponseEvent: Sendable, Equatable {
    /// The status line and headers (interim 1xx responses are skipped).
    case head(HTTPResponseHead)
    /// Body bytes as they arrived, chunked framing removed.
    case body([UInt8])
    /// The body is complete: Content-Length reached, the last chunk, or the peer closed a close-delimited body.
    case end
    /// The terminal error: close the connection.
    case error(HTTPResponseError)
}
