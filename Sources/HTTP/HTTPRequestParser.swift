/// Incremental HTTP/1.x request parser (RFC 9112): bytes in, requests or one terminal error out; no I/O.
///
/// Memory: after `nextEvent()` returns nil the buffer holds at most one incomplete request, so
/// `bufferedByteCount <= maxHeaderBytes + maxBodyBytes`; a single `receive` adds its own size until drained.
public struct HTTPRequestParser: Sendable {
    /// Empty lines tolerated before a request line (RFC 9112 §2.2), e.g. a stray CRLF after a body.
    public static let maxLeadingEmptyLines = 4

    private enum State: Sendable {
        case head
        case body(HTTPRequest, length: Int)
        case failed(HTTPParseError)
    }

    /// The limits this parser enforces.
    public let limits: HTTPLimits
    private var buffer: [UInt8] = []
    /// First byte not yet consumed by an event.
    private var start = 0
    /// Where the search for the end of the current head resumes, so input is scanned once.
    private var scanFrom = 0
    private var emptyLinesSkipped = 0
    private var state = State.head

    /// A parser for one connection.
    public init(limits: HTTPLimits = HTTPLimits()) {
        precondition(limits.maxHeaderBytes > 0 && limits.maxHeaders >= 0 && limits.maxBodyBytes >= 0, "bad limits")
        self.limits = limits
    }

    /// Bytes received but not yet returned as part of an event.
    public var bufferedByteCount: Int { buffer.count - start }

    /// Hands over the bytes received after the last request returned, and forgets them: what a peer sent after
    /// a request that switched protocols (RFC 9110 §7.8) belongs to the new protocol.
    public mutating func takeBufferedBytes() -> [UInt8] {
        let rest = Array(buffer[start...])
        buffer = []
        start = 0
        scanFrom = 0
        return rest
    }

    /// Appends received bytes (any amount, byte-by-byte works); dropped once the parser has failed.
    public mutating func receive(_ bytes: some Collection<UInt8>) {
        if case .failed = state { return }
        compact()
        buffer.append(contentsOf: bytes)
    }

    /// The next complete request, the terminal error (repeated on every later call), or nil if more bytes are needed.
    public mutating func nextEvent() -> HTTPParserEvent? {
        do throws(HTTPParseError) {
            return try nextRequest().map(HTTPParserEvent.request)
        } catch {
            fail(error)
            return .error(error)
        }
    }

    private mutating func nextRequest() throws(HTTPParseError) -> HTTPRequest? {
        if case .failed(let error) = state { throw error }
        if case .head = state {
            guard let head = try readHead() else { return nil }
            state = .body(head.request, length: head.bodyLength)
        }
        guard case .body(let request, let length) = state else { preconditionFailure("parser in head state") }
        guard bufferedByteCount >= length else { return nil }
        let body = Array(buffer[start..<start + length])
        start += length
        state = .head
        return request.with(body: body)
    }

    private mutating func readHead() throws(HTTPParseError) -> (request: HTTPRequest, bodyLength: Int)? {
        guard try skipLeadingEmptyLines() else { return nil }
        guard let end = findHeadEnd() else {
            // Cut a slow-loris off at the limit instead of buffering its endless header bytes.
            if bufferedByteCount > limits.maxHeaderBytes { throw .headersTooLarge }
            return nil
        }
        guard end - start <= limits.maxHeaderBytes else { throw .headersTooLarge }
        let head = try HTTPHeadParser(limits: limits).parse(buffer[start..<end])
        start = end
        scanFrom = end
        emptyLinesSkipped = 0
        return head
    }

    /// Skips CRLF or LF lines before a request line; false while more bytes are needed.
    private mutating func skipLeadingEmptyLines() throws(HTTPParseError) -> Bool {
        while start < buffer.count {
            var length = 1
            if buffer[start] == HTTPSyntax.cr {
                guard start + 1 < buffer.count else { return false }
                guard buffer[start + 1] == HTTPSyntax.lf else { throw .badRequestLine }
                length = 2
            } else if buffer[start] != HTTPSyntax.lf {
                return true
            }
            emptyLinesSkipped += 1
            guard emptyLinesSkipped <= Self.maxLeadingEmptyLines else { throw .badRequestLine }
            start += length
        }
        return false
    }

    /// The index just past the empty line ending the head, or nil; resumes where the last call stopped.
    private mutating func findHeadEnd() -> Int? {
        var index = max(scanFrom, start)
        // Past this point the head is too large anyway, so there is no need to look further.
        let scanEnd = min(buffer.count, start + limits.maxHeaderBytes)
        while index < scanEnd {
            if buffer[index] == HTTPSyntax.lf {
                guard index + 1 < buffer.count else { break }
                if buffer[index + 1] == HTTPSyntax.lf { return index + 2 }
                if buffer[index + 1] == HTTPSyntax.cr {
                    guard index + 2 < buffer.count else { break }
                    if buffer[index + 2] == HTTPSyntax.lf { return index + 3 }
                }
            }
            index += 1
        }
        scanFrom = index
        return nil
    }

    /// Drops consumed bytes once they are at least half the buffer, keeping copying amortized O(1) per byte.
    private mutating func compact() {
        guard start > 0, start >= buffer.count - start else { return }
        buffer.removeSubrange(0..<start)
        scanFrom = max(0, scanFrom - start)
        start = 0
    }

    private mutating func fail(_ error: HTTPParseError) {
        state = .failed(error)
        buffer = []
        start = 0
        scanFrom = 0
    }
}
