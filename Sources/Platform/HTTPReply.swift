import HTTP

/// Names one request handed to `HTTPServer`'s `respond`, for an answer given later.
public struct HTTPTicket: Sendable, Hashable {
    let fd: Int32
    let serial: Int
}

/// What `respond` gives for a request: the response now, or a promise to give it with `HTTPServer.answer`.
public enum HTTPReply: Sendable {
    case now(HTTPResponse)
    case later
}
