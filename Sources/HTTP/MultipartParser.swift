/// Splits a `multipart/x-mixed-replace` body (MJPEG over HTTP: IP cameras, mjpg-streamer, our viewer's `.mjpg`)
/// into parts, incrementally and with bounded memory; no I/O.
///
/// Each part starts at a delimiter line `--boundary`, has header lines up to an empty line, then a body: exactly
/// Content-Length bytes when the part says so (what most cameras send), otherwise everything up to the next
/// delimiter. A part whose headers or body exceed the limits, or whose headers are malformed, is dropped whole and
/// counted, and the parser resynchronises on the next delimiter. Bytes outside parts are counted, never buffered.
public struct MultipartParser: Sendable {
    /// Default for `maxPartBytes`: the largest frame of protocol version 1.
    public static let defaultMaxPartBytes = 1 << 20
    /// Longest boundary (RFC 2046 §5.1.1).
    public static let maxBoundaryBytes = 70
    /// Longest rest of a delimiter line (transport padding) after the boundary.
    public static let maxDelimiterLineBytes = 256

    /// One part: its header fields and its body.
    public struct Part: Sendable, Equatable {
        public let headers: HTTPHeaders
        public let body: [UInt8]
    }

    private enum State: Sendable {
        case delimiter
        case delimiterLine
        case headers
        case body(length: Int?)
    }

    /// Largest part body handed out.
    public let maxPartBytes: Int
    /// Bounds on each part's header block (`maxHeaderBytes`, `maxHeaders`).
    public let limits: HTTPLimits
    /// Parts handed out.
    public private(set) var parts = 0
    /// Parts dropped: too large, or malformed headers.
    public private(set) var droppedParts = 0
    /// Bytes outside any part handed out (preamble, junk, dropped parts).
    public private(set) var skippedBytes = 0

    private let delimiter: [UInt8]
    private var buffer: [UInt8] = []
    private var start = 0
    private var scanFrom = 0
    private var state = State.delimiter
    private var partHeaders = HTTPHeaders()

    /// A parser for parts delimited by `boundary` (as `boundary(of:)` returns it).
    public init(boundary: String, maxPartBytes: Int = MultipartParser.defaultMaxPartBytes, limits: HTTPLimits = HTTPLimits()) {
        precondition(!boundary.isEmpty && boundary.utf8.count <= Self.maxBoundaryBytes, "bad boundary")
        delimiter = Array("--\(boundary)".utf8)
        self.maxPartBytes = maxPartBytes
        self.limits = limits
    }

    /// The boundary of a `multipart/*` response, nil if it has none or a malformed one. A leading `--` is dropped:
    /// some cameras announce `boundary=--frame` and then write `--frame` lines; searching for `--frame` also finds
    /// the `----frame` a literal reading of RFC 2046 would give.
    public static func boundary(of head: HTTPResponseHead) -> String? {
        guard head.mediaType.hasPrefix("multipart/"), var value = head.contentTypeParameter("boundary") else { return nil }
        while value.hasPrefix("-") { value.removeFirst() }
        let bytes = Array(value.utf8)
        guard !bytes.isEmpty, bytes.count <= maxBoundaryBytes, bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return nil }
        return value
    }

    /// Bytes held: an incomplete part, or the tail of a delimiter search.
    public var bufferedByteCount: Int { buffer.count - start }

    /// Appends body bytes. Drain with `nextPart` after each call: the parser then holds at most one part.
    public mutating func receive(_ bytes: some Collection<UInt8>) {
        compact()
        buffer.append(contentsOf: bytes)
    }

    /// The next whole part, or nil until more bytes arrive.
    public mutating func nextPart() -> Part? {
        while true {
            let moved: Bool
            switch state {
            case .delimiter: moved = findDelimiter()
            case .delimiterLine: moved = skipDelimiterLine()
            case .headers: moved = readHeaders()
            case .body(let length?):
                if let part = readBody(length: length) { return part }
                moved = false
            case .body(nil):
                if let part = readDelimitedBody() { return part }
                moved = isSeeking
            }
            guard moved else { return nil }
        }
    }

    private var isSeeking: Bool {
        if case .delimiter = state { return true }
        return false
    }

    /// Looks for `--boundary`; what comes before it is skipped.
    private mutating func findDelimiter() -> Bool {
        if let found = search(delimiter, from: start) {
            skippedBytes += found - start
            start = found + delimiter.count
            state = .delimiterLine
            return true
        }
        let keep = min(bufferedByteCount, delimiter.count - 1)
        skippedBytes += bufferedByteCount - keep
        start = buffer.count - keep
        return false
    }

    /// Skips the rest of the delimiter line (padding, or `--` closing the body), leaving its LF to start the headers.
    private mutating func skipDelimiterLine() -> Bool {
        let scanEnd = min(buffer.count, start + Self.maxDelimiterLineBytes)
        guard let lf = buffer[start..<scanEnd].firstIndex(of: HTTPSyntax.lf) else {
            if bufferedByteCount >= Self.maxDelimiterLineBytes { return dropPart(upTo: start) }
            return false
        }
        skippedBytes += lf - start
        start = lf
        scanFrom = lf
        state = .headers
        return true
    }

    /// Reads the header block (from the delimiter line's LF up to the empty line) and Content-Length if any.
    private mutating func readHeaders() -> Bool {
        let scan = HTTPResponseParser.headEnd(buffer, start: start, from: max(scanFrom, start), limit: limits.maxHeaderBytes + 1)
        guard let end = scan.end else {
            scanFrom = scan.resume
            return bufferedByteCount > limits.maxHeaderBytes ? dropPart(upTo: start + 1) : false
        }
        let lines = HTTPHeadParser.lines(buffer[(start + 1)..<end]).prefix { !$0.isEmpty }
        guard let headers = try? HTTPHeadParser(limits: limits).fields(lines) else { return dropPart(upTo: end) }
        var length: Int?
        if let value = headers["Content-Length"] {
            guard let parsed = HTTPResponseParser.decimal(HTTPSyntax.trimmed(Array(value.utf8)[...])), parsed <= maxPartBytes else {
                return dropPart(upTo: end)
            }
            length = parsed
        }
        partHeaders = headers
        start = end
        scanFrom = end
        state = .body(length: length)
        return true
    }

    private mutating func readBody(length: Int) -> Part? {
        guard bufferedByteCount >= length else { return nil }
        let body = Array(buffer[start..<start + length])
        start += length
        return deliver(body)
    }

    /// A body without Content-Length ends at the line break before the next delimiter line (`--boundary`, or
    /// `----boundary`).
    private mutating func readDelimitedBody() -> Part? {
        var from = max(scanFrom, start)
        while let found = search(delimiter, from: from) {
            if let lineBreak = lineBreak(before: found) {
                guard lineBreak - start <= maxPartBytes else {
                    _ = dropPart(upTo: found)
                    return nil
                }
                let body = Array(buffer[start..<lineBreak])
                skippedBytes += found - lineBreak
                start = found
                return deliver(body)
            }
            from = found + 1
        }
        scanFrom = max(start, buffer.count - delimiter.count - 3)
        if bufferedByteCount > maxPartBytes + delimiter.count + 4 { _ = dropPart(upTo: scanFrom) }
        return nil
    }

    /// Where the CRLF or LF ending the body starts, if the delimiter at `found` begins a line (after two optional
    /// dashes); nil if it is inside the body.
    private func lineBreak(before found: Int) -> Int? {
        var index = found
        if index - start >= 3, buffer[index - 1] == 0x2D, buffer[index - 2] == 0x2D, buffer[index - 3] == HTTPSyntax.lf { index -= 2 }
        guard index > start, buffer[index - 1] == HTTPSyntax.lf else { return nil }
        index -= 1
        return index > start && buffer[index - 1] == HTTPSyntax.cr ? index - 1 : index
    }

    private mutating func deliver(_ body: [UInt8]) -> Part {
        parts += 1
        state = .delimiter
        return Part(headers: partHeaders, body: body)
    }

    /// Drops the current part up to `end` and looks for the next delimiter from there.
    private mutating func dropPart(upTo end: Int) -> Bool {
        droppedParts += 1
        skippedBytes += end - start
        start = end
        state = .delimiter
        return true
    }

    /// The first index at or after `from` where `pattern` starts, or nil.
    private func search(_ pattern: [UInt8], from: Int) -> Int? {
        guard let first = pattern.first, buffer.count - from >= pattern.count else { return nil }
        var index = from
        let last = buffer.count - pattern.count
        while index <= last {
            guard let candidate = buffer[index...last].firstIndex(of: first) else { return nil }
            if buffer[candidate..<candidate + pattern.count].elementsEqual(pattern) { return candidate }
            index = candidate + 1
        }
        return nil
    }

    private mutating func compact() {
        guard start > 0, start >= buffer.count - start else { return }
        buffer.removeSubrange(0..<start)
        scanFrom = max(0, scanFrom - start)
        start = 0
    }
}
