/// Turns one complete request head (request line through the empty line) into a bodiless request.
struct HTTPHeadParser {
    let limits: HTTPLimits

    /// The request without its body, and how many body bytes follow the head.
    func parse(_ head: ArraySlice<UInt8>) throws(HTTPParseError) -> (request: HTTPRequest, bodyLength: Int) {
        let lines = Self.lines(head)
        let (method, target, versionMinor) = try Self.requestLine(lines[0])
        let headers = try fields(lines.dropFirst().prefix { !$0.isEmpty })
        try Self.checkHost(headers, versionMinor: versionMinor)
        let length = try bodyLength(headers)
        let request = HTTPRequest(method: method, target: target, versionMinor: versionMinor, headers: headers)
        return (request, length)
    }

    /// Lines ended by LF, one CR before the LF dropped; a stray CR stays and fails validation later.
    static func lines(_ head: ArraySlice<UInt8>) -> [ArraySlice<UInt8>] {
        head.split(separator: HTTPSyntax.lf, omittingEmptySubsequences: false).map { line in
            line.last == HTTPSyntax.cr ? line.dropLast() : line
        }
    }

    /// `method SP request-target SP HTTP-version`, single spaces only.
    private static func requestLine(_ line: ArraySlice<UInt8>) throws(HTTPParseError) -> (String, String, Int) {
        let parts = line.split(separator: HTTPSyntax.space, maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, HTTPSyntax.isToken(parts[0]), isTarget(parts[1], method: parts[0]) else {
            throw .badRequestLine
        }
        let minor = try versionMinor(parts[2])
        return (HTTPSyntax.string(parts[0]), HTTPSyntax.string(parts[1]), minor)
    }

    /// origin-form, `*` for OPTIONS, or absolute-form with an http(s) scheme; authority-form is refused.
    private static func isTarget(_ target: ArraySlice<UInt8>, method: ArraySlice<UInt8>) -> Bool {
        guard let first = target.first, target.allSatisfy(HTTPSyntax.isTargetByte) else { return false }
        if first == UInt8(ascii: "/") { return true }
        if target.elementsEqual("*".utf8) { return method.elementsEqual("OPTIONS".utf8) }
        return HTTPSyntax.absoluteSchemeLength(target) != nil
    }

    /// 0 or 1; another `HTTP/digits.digits` is a version we refuse, anything else is garbage.
    private static func versionMinor(_ version: ArraySlice<UInt8>) throws(HTTPParseError) -> Int {
        if version.elementsEqual("HTTP/1.1".utf8) { return 1 }
        if version.elementsEqual("HTTP/1.0".utf8) { return 0 }
        let number = version.dropFirst(5)
        guard version.starts(with: "HTTP/".utf8), HTTPSyntax.isDigit(number.first ?? 0),
            number.allSatisfy({ HTTPSyntax.isDigit($0) || $0 == UInt8(ascii: ".") })
        else { throw .badRequestLine }
        throw .badVersion
    }

    func fields(_ lines: ArraySlice<ArraySlice<UInt8>>) throws(HTTPParseError) -> HTTPHeaders {
        guard lines.count <= limits.maxHeaders else { throw .tooManyHeaders }
        var headers = HTTPHeaders()
        for line in lines {
            let (name, value) = try Self.field(line)
            headers.add(name, value)
        }
        return headers
    }

    /// `name ":" OWS value OWS`; whitespace before the colon and obs-fold both fail the token check.
    private static func field(_ line: ArraySlice<UInt8>) throws(HTTPParseError) -> (String, String) {
        guard let colon = line.firstIndex(of: HTTPSyntax.colon) else { throw .badHeader }
        let name = line[..<colon]
        let value = HTTPSyntax.trimmed(line[(colon + 1)...])
        guard HTTPSyntax.isToken(name), value.allSatisfy(HTTPSyntax.isFieldValueByte) else { throw .badHeader }
        return (HTTPSyntax.string(name), HTTPSyntax.string(value))
    }

    private static func checkHost(_ headers: HTTPHeaders, versionMinor: Int) throws(HTTPParseError) {
        let hosts = headers.values(for: "Host").count
        if hosts > 1 || (hosts == 0 && versionMinor == 1) { throw .badHost }
    }

    /// RFC 9112 §6.3 for requests: Transfer-Encoding is refused (even beside Content-Length), else Content-Length, else 0.
    private func bodyLength(_ headers: HTTPHeaders) throws(HTTPParseError) -> Int {
        guard !headers.contains("Transfer-Encoding") else { throw .unsupportedTransferEncoding }
        let values = headers.values(for: "Content-Length").flatMap(HTTPSyntax.listElements)
        guard let first = values.first else { return 0 }
        guard values.allSatisfy({ $0.elementsEqual(first) }) else { throw .badContentLength }
        return try Self.decimal(first, max: limits.maxBodyBytes)
    }

    /// A non-empty run of digits, stopping at `max` so a huge value cannot overflow.
    private static func decimal(_ digits: ArraySlice<UInt8>, max: Int) throws(HTTPParseError) -> Int {
        guard !digits.isEmpty, digits.allSatisfy(HTTPSyntax.isDigit) else { throw .badContentLength }
        var value = 0
        for digit in digits {
            let (scaled, overflowA) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflowB) = scaled.addingReportingOverflow(Int(digit - UInt8(ascii: "0")))
            guard !overflowA, !overflowB, sum <= max else { throw .bodyTooLarge }
            value = sum
        }
        return value
    }
}
