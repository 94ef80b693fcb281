import HTTP
import XCTest

@testable import BrokerStatus

/// Hostile headers never trap the gate and never let a request through without the password.
final class StatusGateFuzzTests: XCTestCase {
    func testRandomCredentialsAndCookiesAreRefused() {
        var rng = SystemRandomNumberGenerator()
        var g = StatusGate(password: "the password")
        let alphabet = Array("Basic YWJjOmRlZg== vbstatus=;:,\"'\\%\u{0}\u{7f}é日本 =+/0123456789abcdefABCDEF".unicodeScalars)
        func junk() -> String {
            String(String.UnicodeScalarView((0..<Int.random(in: 0...80, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }))
        }
        for i in 0..<2_000 {
            let headers = HTTPHeaders([("Authorization", junk()), ("Cookie", junk()), ("Origin", junk()), ("X-CSRF-Token", junk())])
            let r = HTTPRequest(method: i % 2 == 0 ? "GET" : "POST", target: "/api/status", headers: headers, body: Array(junk().utf8))
            if case .allowed = g.check(r, source: "s\(i % 7)", now: Int64(i) * 1_000_000, action: i % 2 == 1, page: i % 3 == 0) {
                XCTFail("allowed without the password: \(headers)")
            }
            XCTAssertNotEqual(g.login(r, source: "t\(i % 7)", now: Int64(i) * 1_000_000, random: { 1 }).status, 303)
        }
        XCTAssertEqual(g.sessions.count, 0)
    }
}
