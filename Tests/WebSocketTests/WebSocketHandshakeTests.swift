import HTTP
import WebSocket
import XCTest

final class WebSocketHandshakeTests: XCTestCase {
    private func upgrade(_ extra: [(String, String)] = [], drop: Set<String> = []) -> HTTPRequest {
        var fields: [(String, String)] = [
            ("Host", "127.0.0.1:8080"), ("Upgrade", "websocket"), ("Connection", "keep-alive, Upgrade"),
            ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="), ("Sec-WebSocket-Version", "13"), ("Origin", "http://127.0.0.1:8080"),
        ]
        fields.removeAll { drop.contains($0.0) }
        fields += extra
        return HTTPRequest(method: "GET", target: "/ws", headers: HTTPHeaders(fields))
    }

    /// RFC 6455 §1.3 and §4.2.2's own example (the value `openssl sha1 -binary | base64` gives too; an older draft's
    /// "s3pPLMBiTxaMhTLfkYowlSbsM+k=" does not follow from this GUID).
    func testAcceptValueOfTheRFCExample() {
        XCTAssertEqual(WebSocketHandshake.acceptValue(key: "dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
    }

    func testAcceptsSameOriginUpgrade() {
        let r = WebSocketHandshake.respond(to: upgrade())
        XCTAssertEqual(r.status, 101)
        XCTAssertEqual(r.headers["Sec-WebSocket-Accept"], "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
        let text = String(decoding: r.encode(keepAlive: true), as: UTF8.self)
        XCTAssertTrue(text.hasPrefix("HTTP/1.1 101 Switching Protocols\r\n"), text)
        XCTAssertTrue(text.contains("\r\nConnection: Upgrade\r\n"), text)
        XCTAssertFalse(text.contains("Content-Length"), text)
        XCTAssertFalse(text.contains("close"), text)
        // No Origin: not a browser page, accepted.
        XCTAssertEqual(WebSocketHandshake.respond(to: upgrade(drop: ["Origin"])).status, 101)
        XCTAssertEqual(WebSocketHandshake.respond(to: upgrade([("Host", "x")], drop: ["Host"])).status, 403)
    }

    func testRefusesAnotherOriginAndRebindingHosts() {
        XCTAssertEqual(WebSocketHandshake.respond(to: upgrade([("Origin", "http://evil.example")], drop: ["Origin"])).status, 403)
        XCTAssertEqual(WebSocketHandshake.respond(to: upgrade([("Origin", "http://127.0.0.1:8081")], drop: ["Origin"])).status, 403)
        XCTAssertEqual(WebSocketHandshake.respond(to: upgrade([("Origin", "null")], drop: ["Origin"])).status, 403)
        XCTAssertEqual(WebSocketHandshake.respond(to: upgrade([("Origin", "http://127.0.0.1:8080")])).status, 403, "two Origins")
        let rebound = upgrade([("Host", "evil.example:8080"), ("Origin", "http://evil.example:8080")], drop: ["Host", "Origin"])
        XCTAssertEqual(WebSocketHandshake.respond(to: rebound).status, 403)
        for ok in ["localhost:8080", "[::1]:8080", "127.0.0.1", "LOCALHOST:1"] {
            let r = upgrade([("Host", ok), ("Origin", "http://" + ok)], drop: ["Host", "Origin"])
            XCTAssertEqual(WebSocketHandshake.respond(to: r).status, 101, ok)
        }
        for bad in ["127.0.0.1:", "127.0.0.1:80a", "1.2.3", "1.2.3.4.5", "[::1", "::1", "", "127.0.0.1:1234567"] {
            let r = upgrade([("Host", bad)], drop: ["Host", "Origin"])
            XCTAssertEqual(WebSocketHandshake.respond(to: r).status, 403, bad)
        }
    }

    func testRefusesMalformedUpgrades() {
        XCTAssertEqual(WebSocketHandshake.respond(to: upgrade(drop: ["Upgrade"])).status, 400)
        XCTAssertEqual(WebSocketHandshake.respond(to: upgrade([("Connection", "keep-alive")], drop: ["Connection"])).status, 400)
        XCTAssertEqual(WebSocketHandshake.respond(to: upgrade(drop: ["Sec-WebSocket-Key"])).status, 400)
        XCTAssertEqual(WebSocketHandshake.respond(to: upgrade([("Sec-WebSocket-Key", "dG9vIHNob3J0")], drop: ["Sec-WebSocket-Key"])).status, 400)
        XCTAssertEqual(WebSocketHandshake.respond(to: upgrade([("Sec-WebSocket-Key", "AAAAAAAAAAAAAAAAAAAAAA==")])).status, 400, "two keys")
        let v8 = WebSocketHandshake.respond(to: upgrade([("Sec-WebSocket-Version", "8")], drop: ["Sec-WebSocket-Version"]))
        XCTAssertEqual(v8.status, 426)
        XCTAssertEqual(v8.headers["Sec-WebSocket-Version"], "13")
        let post = HTTPRequest(method: "POST", target: "/ws", headers: upgrade().headers)
        XCTAssertEqual(WebSocketHandshake.respond(to: post).status, 400)
        let old = HTTPRequest(method: "GET", target: "/ws", versionMinor: 0, headers: upgrade().headers)
        XCTAssertEqual(WebSocketHandshake.respond(to: old).status, 400)
        XCTAssertFalse(WebSocketHandshake.isUpgrade(HTTPRequest(method: "GET", target: "/")))
    }
}
