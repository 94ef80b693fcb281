import Foundation
import XCTest

extension IntegrationTestCase {
    /// One HTTP/1.1 request on a fresh connection (`Connection: close`); status, headers (lower-cased names) and body.
    func http(
        _ port: UInt16, _ method: String, _ path: String, password: String? = nil, headers: [(String, String)] = [], form: String? = nil,
        from source: String? = nil
    ) throws -> (status: Int, headers: [String: String], body: String) {
        var lines = ["\(method) \(path) HTTP/1.1", "Host: 127.0.0.1:\(port)", "Connection: close"]
        if let password { lines.append("Authorization: Basic " + Data("operator:\(password)".utf8).base64EncodedString()) }
        for (k, v) in headers { lines.append("\(k): \(v)") }
        let body = form ?? ""
        if form != nil { lines += ["Content-Type: application/x-www-form-urlencoded", "Content-Length: \(body.utf8.count)"] }
        let c = try TCPConnection(port: port, source: source)
        defer { c.close() }
        guard c.send(Array((lines.joined(separator: "\r\n") + "\r\n\r\n" + body).utf8)) else { throw HarnessFailure("cannot send to \(port)") }
        let text = c.receiveAll()
        guard let split = text.range(of: "\r\n\r\n") else { throw HarnessFailure("no HTTP answer: \(text.prefix(200))") }
        let head = text[..<split.lowerBound].components(separatedBy: "\r\n")
        guard let status = head.first.flatMap({ Int($0.split(separator: " ")[1]) }) else { throw HarnessFailure("bad status line in \(head)") }
        var fields: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return (status, fields, String(text[split.upperBound...]))
    }

    /// A JSON answer of the status API (GET with the password), or a failure naming what came back.
    func statusJSON(_ port: UInt16, _ path: String, password: String) throws -> [String: Any] {
        let r = try http(port, "GET", path, password: password)
        guard r.status == 200, let j = try JSONSerialization.jsonObject(with: Data(r.body.utf8)) as? [String: Any] else {
            throw HarnessFailure("GET \(path): \(r.status) \(r.body.prefix(300))")
        }
        return j
    }
}
