/// Why a received response cannot be read further; the connection must be closed.
public enum HTTPResponseError: Error, Sendable, Equatable {
    case badStatusLine
    case badVersion
    case badHeader
    case headersTooLarge
    case tooManyHeaders
    case badContentLength
    /// A chunk-size line that is not hex digits (with optional extensions), or too long.
    case badChunk
    /// The peer closed before the Content-Length or the last chunk arrived.
    case truncatedBody

    /// Short human text for a log line.
    public var reason: String {
        switch self {
        case .badStatusLine: "malformed status line"
        case .badVersion: "not an HTTP/1.x response"
        case .badHeader: "malformed header field"
        case .headersTooLarge: "response headers too large"
        case .tooManyHeaders: "too many response headers"
        case .badContentLength: "invalid Content-Length"
        case .badChunk: "malformed chunked body"
        case .truncatedBody: "the body ended early"
        }
    }
}
