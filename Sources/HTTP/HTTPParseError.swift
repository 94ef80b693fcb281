/// Why a request was rejected; the connection must be answered with `status` and closed.
public enum HTTPParseError: Error, Equatable, Sendable {
    case badRequestLine
    case badVersion
    case badHeader
    /// An HTTP/1.1 request without Host, or any request with several (RFC 9112 §3.2).
    case badHost
    case headersTooLarge
    case tooManyHeaders
    case bodyTooLarge
    case badContentLength
    /// Transfer-Encoding of any kind: chunked request bodies are refused.
    case unsupportedTransferEncoding

    /// The status code to answer with.
    public var status: Int {
        switch self {
        case .badVersion: 505
        case .headersTooLarge, .tooManyHeaders: 431
        case .bodyTooLarge: 413
        case .unsupportedTransferEncoding: 501
        case .badRequestLine, .badHeader, .badHost, .badContentLength: 400
        }
    }

    /// Short human text for the response body, without the limits' numbers.
    public var reason: String {
        switch self {
        case .badRequestLine: "malformed request line"
        case .badVersion: "only HTTP/1.0 and HTTP/1.1 are supported"
        case .badHeader: "malformed header field"
        case .badHost: "exactly one Host header is required"
        case .headersTooLarge: "request headers too large"
        case .tooManyHeaders: "too many request headers"
        case .bodyTooLarge: "request body too large"
        case .badContentLength: "invalid Content-Length"
        case .unsupportedTransferEncoding: "Transfer-Encoding is not supported"
        }
    }

    /// Short human text naming the limit that was exceeded, e.g. "request headers exceed 8192 bytes".
    public func reason(limits: HTTPLimits) -> String {
        switch self {
        case .headersTooLarge: "request headers exceed \(limits.maxHeaderBytes) bytes"
        case .tooManyHeaders: "more than \(limits.maxHeaders) request headers"
        case .bodyTooLarge: "request body exceeds \(limits.maxBodyBytes) bytes"
        default: reason
        }
    }
}
