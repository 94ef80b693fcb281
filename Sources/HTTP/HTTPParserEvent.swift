/// What the parser produced from the bytes received so far.
public enum HTTPParserEvent: Sendable, Equatable {
    /// One complete request, body included.
    case request(HTTPRequest)
    /// The terminal error: answer with `status` and close.
    case error(HTTPParseError)
}
