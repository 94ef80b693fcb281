/// Incremental HTTP/1.x response parser (RFC 9112) for one response on a connection: bytes in, the head, the body
/// as it arrives (Content-Length, chunked, or until the peer closes) and its end out; no I/O.
///
/// Bodies are handed out piece by piece, never gathered, so an endless body (an MJPEG camera, an Icecast stream)
/// costs no memory: after `nextEvent()` returns nil the parser holds at most one incomplete head (bounded by
/// `limits.maxHeaderBytes`) or chunk-size line (`maxChunkLineBytes`). `limits.maxBodyBytes` does not apply.
public struct HTTPResponseParser: Sendable {
    /// Longest chunk-size line, extensions included.
    public static let maxChunkLineBytes = 1024
    /// Interim (1xx) responses skipped before the final one.
    public static let maxInterimResponses = 4

    private enum State: Sendable {
        case head
        case fixed(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkEnd
        case trailers
        case untilClose
        /// The body is complete; `.end` is the next event.
        case ending
        case done
        case failed(HTTPResponseError)
    }

    /// The limits this parser enforces on heads.
    public let limits: HTTPLimits
    private let requestWasHead: Bool
    private var buffer: [UInt8] = []
    private var start = 0
    private var state = State.head
    private var interimResponses = 0
    private var trailerLines = 0
    /// Where the search for the end of the head resumes, so a head fed byte by byte is scanned once.
    private var headScanFrom = 0

    /// A parser for the response to a request with `method` (a HEAD response has no body).
    public init(limits: HTTPLimits = HTTPLimits(), method: String = "GET") {
        precondition(limits.maxHeaderBytes > 0 && limits.maxHeaders >= 0, "bad limits")
        self.limits = limits
        self.requestWasHead = method == "HEAD"
    }

    /// Bytes received but not yet returned in an event.
    public var bufferedByteCount: Int { buffer.count - start }

    /// Appends received bytes (any amount); dropped once the parser has failed or the response ended.
    public mutating func receive(_ bytes: some Collection<UInt8>) {
        switch state {
        case .failed, .done, .ending: return
        default: break
        }
        compact()
        buffer.append(contentsOf: bytes)
    }

    /// The next event, the terminal error (repeated on every later call), or nil if more bytes are needed.
    public mutating func nextEvent() -> HTTPResponseEvent? {
        do throws(HTTPResponseError) {
            return try step()
        } catch {
            state = .failed(error)
            buffer = []
            start = 0
            return .error(error)
        }
    }

    /// The peer closed the connection: `.end` if that ends the body, an error if the response was cut short, nil if
    /// it had already ended. Call after draining `nextEvent()`.
    public mutating func finish() -> HTTPResponseEvent? {
        switch state {
        case .done: return nil
        case .failed(let error): return .error(error)
        case .untilClose, .ending:
            state = .done
            return .end
        case .head:
            state = .failed(.badStatusLine)
            return .error(.badStatusLine)
        default:
            state = .failed(.truncatedBody)
            return .error(.truncatedBody)
        }
    }

    private mutating func step() throws(HTTPResponseError) -> HTTPResponseEvent? {
        switch state {
        case .failed(let error): throw error
        case .done: return nil
        case .ending:
            state = .done
            return .end
        case .head: return try readHead()
        case .fixed(let remaining):
            guard let bytes = take(upTo: remaining) else { return nil }
            state = remaining == bytes.count ? .ending : .fixed(remaining: remaining - bytes.count)
            return .body(bytes)
        case .untilClose: return take(upTo: .max).map(HTTPResponseEvent.body)
        case .chunkSize, .chunkData, .chunkEnd, .trailers: return try readChunked()
        }
    }

    private mutating func readHead() throws(HTTPResponseError) -> HTTPResponseEvent? {
        let scan = HTTPResponseParser.headEnd(buffer, start: start, from: max(headScanFrom, start), limit: limits.maxHeaderBytes)
        guard let end = scan.end else {
            headScanFrom = scan.resume
            if bufferedByteCount > limits.maxHeaderBytes { throw .headersTooLarge }
            return nil
        }
        let head = try HTTPResponseParser.parseHead(buffer[start..<end], limits: limits)
        start = end
        headScanFrom = end
        if (100...199).contains(head.status), head.status != 101 {
            interimResponses += 1
            guard interimResponses <= Self.maxInterimResponses else { throw .badStatusLine }
            return try readHead()
        }
        state = try bodyState(head)
        return .head(head)
    }

    /// RFC 9112 §6.3: no body for HEAD, 1xx, 204 and 304; chunked if it is the last transfer coding; any other
    /// transfer coding reads until close; else Content-Length; else until close.
    private func bodyState(_ head: HTTPResponseHead) throws(HTTPResponseError) -> State {
        if requestWasHead || head.status < 200 || head.status == 204 || head.status == 304 { return .ending }
        let codings = head.headers.values(for: "Transfer-Encoding").flatMap(HTTPSyntax.listElements)
        if let last = codings.last {
            return HTTPSyntax.equalsIgnoringCase(last, "chunked".utf8) ? .chunkSize : .untilClose
        }
        let lengths = head.headers.values(for: "Content-Length").flatMap(HTTPSyntax.listElements)
        guard let first = lengths.first else { return .untilClose }
        guard lengths.allSatisfy({ $0.elementsEqual(first) }), let length = HTTPResponseParser.decimal(first) else {
            throw .badContentLength
        }
        return length == 0 ? .ending : .fixed(remaining: length)
    }

    /// Up to `limit` buffered bytes, consumed; nil if none are buffered.
    private mutating func take(upTo limit: Int) -> [UInt8]? {
        let count = min(limit, bufferedByteCount)
        guard count > 0 else { return nil }
        let bytes = Array(buffer[start..<start + count])
        start += count
        return bytes
    }

    /// The index of the first byte after the LF ending the line that begins at `start`, or nil.
    private mutating func lineEnd(limit: Int) throws(HTTPResponseError) -> Int? {
        let scanEnd = min(buffer.count, start + limit)
        guard let lf = buffer[start..<scanEnd].firstIndex(of: HTTPSyntax.lf) else {
            if bufferedByteCount >= limit { throw .badChunk }
            return nil
        }
        return lf + 1
    }

    /// The line beginning at `start` without its CRLF or LF, consumed, once it is whole.
    private mutating func takeLine(limit: Int) throws(HTTPResponseError) -> ArraySlice<UInt8>? {
        guard let end = try lineEnd(limit: limit) else { return nil }
        var line = buffer[start..<end - 1]
        if line.last == HTTPSyntax.cr { line = line.dropLast() }
        start = end
        return line
    }

    /// RFC 9112 §7.1: `size [; extensions] CRLF`, data, CRLF; after the last chunk (size 0), trailer lines up to
    /// an empty line. Trailers are read and dropped.
    private mutating func readChunked() throws(HTTPResponseError) -> HTTPResponseEvent? {
        while true {
            switch state {
            case .chunkSize:
                guard let line = try takeLine(limit: Self.maxChunkLineBytes) else { return nil }
                let size = try HTTPResponseParser.chunkSize(line)
                state = size == 0 ? .trailers : .chunkData(remaining: size)
            case .chunkData(let remaining):
                guard let bytes = take(upTo: remaining) else { return nil }
                state = bytes.count == remaining ? .chunkEnd : .chunkData(remaining: remaining - bytes.count)
                return .body(bytes)
            case .chunkEnd:
                guard let line = try takeLine(limit: 2) else { return nil }
                guard line.isEmpty else { throw .badChunk }
                state = .chunkSize
            case .trailers:
                guard let line = try takeLine(limit: limits.maxHeaderBytes) else { return nil }
                if line.isEmpty {
                    state = .done
                    return .end
                }
                trailerLines += 1
                guard trailerLines <= limits.maxHeaders else { throw .tooManyHeaders }
            default: preconditionFailure("not in a chunked body")
            }
        }
    }

    private mutating func compact() {
        guard start > 0, start >= buffer.count - start else { return }
        buffer.removeSubrange(0..<start)
        headScanFrom = max(0, headScanFrom - start)
        start = 0
    }
}
