/// The pure pieces of response parsing: where a head ends, the status line, numbers.
extension HTTPResponseParser {
    /// The index just past the empty line ending the head that begins at `start`, scanning from `from`; if there is
    /// none yet, where the next scan may resume.
    static func headEnd(_ buffer: [UInt8], start: Int, from: Int, limit: Int) -> (end: Int?, resume: Int) {
        var index = from
        let scanEnd = min(buffer.count, start + limit)
        while index < scanEnd {
            if buffer[index] == HTTPSyntax.lf {
                guard index + 1 < buffer.count else { break }
                if buffer[index + 1] == HTTPSyntax.lf { return (index + 2, index) }
                if buffer[index + 1] == HTTPSyntax.cr {
                    guard index + 2 < buffer.count else { break }
                    if buffer[index + 2] == HTTPSyntax.lf { return (index + 3, index) }
                }
            }
            index += 1
        }
        return (nil, index)
    }

    /// The status line and the header fields of one whole head.
    static func parseHead(_ head: ArraySlice<UInt8>, limits: HTTPLimits) throws(HTTPResponseError) -> HTTPResponseHead {
        let lines = HTTPHeadParser.lines(head)
        let (versionMinor, status, reason) = try statusLine(lines[0])
        let headers: HTTPHeaders
        do {
            headers = try HTTPHeadParser(limits: limits).fields(lines.dropFirst().prefix { !$0.isEmpty })
        } catch .tooManyHeaders {
            throw .tooManyHeaders
        } catch {
            throw .badHeader
        }
        return HTTPResponseHead(status: status, reason: reason, versionMinor: versionMinor, headers: headers)
    }

    /// `HTTP-version SP 3DIGIT SP reason`; the reason and its space may be missing, and SHOUTcast's `ICY` counts as
    /// HTTP/1.0 (internet radio still answers with it).
    private static func statusLine(_ line: ArraySlice<UInt8>) throws(HTTPResponseError) -> (Int, Int, String) {
        let parts = line.split(separator: HTTPSyntax.space, maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2 else { throw .badStatusLine }
        let minor: Int
        if parts[0].elementsEqual("HTTP/1.1".utf8) {
            minor = 1
        } else if parts[0].elementsEqual("HTTP/1.0".utf8) || parts[0].elementsEqual("ICY".utf8) {
            minor = 0
        } else {
            throw parts[0].starts(with: "HTTP/".utf8) ? .badVersion : .badStatusLine
        }
        let code = parts[1]
        guard code.count == 3, code.allSatisfy(HTTPSyntax.isDigit), let status = decimal(code), status >= 100 else {
            throw .badStatusLine
        }
        let reason = parts.count == 3 ? parts[2] : []
        guard reason.allSatisfy(HTTPSyntax.isFieldValueByte) else { throw .badStatusLine }
        return (minor, status, HTTPSyntax.string(reason))
    }

    /// A non-empty run of decimal digits that fits an Int, else nil.
    static func decimal(_ digits: ArraySlice<UInt8>) -> Int? {
        guard !digits.isEmpty, digits.count <= 18, digits.allSatisfy(HTTPSyntax.isDigit) else { return nil }
        return digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
    }

    /// The size of a chunk-size line: 1...15 hex digits, then optional whitespace and `;` extensions, ignored.
    static func chunkSize(_ line: ArraySlice<UInt8>) throws(HTTPResponseError) -> Int {
        let digits = line.prefix { HTTPSyntax.hexValue($0) != nil }
        guard !digits.isEmpty, digits.count <= 15 else { throw .badChunk }
        let rest = line[digits.endIndex...].drop(while: HTTPSyntax.isWhitespace)
        guard rest.isEmpty || rest.first == UInt8(ascii: ";"), rest.allSatisfy(HTTPSyntax.isFieldValueByte) else {
            throw .badChunk
        }
        return digits.reduce(0) { $0 << 4 | Int(HTTPSyntax.hexValue($1) ?? 0) }
    }
}
