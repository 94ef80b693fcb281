import Foundation
import HTTP
import WebSocket
import Wire
import XCTest

@testable import Platform

/// A 101 hands the connection over, with the bytes that followed the request, to a `WebSocketConnection`.
extension HTTPServerTests {
    func testA101HandsTheConnectionOverWithTheBytesAfterTheRequest() throws {
        let fd = try connect()
        defer { close(fd) }
        // The upgrade and a masked text frame "hi" in one write, as a hasty client might send them.
        let hi: [UInt8] = [0x81, 0x82, 1, 2, 3, 4, UInt8(ascii: "h") ^ 1, UInt8(ascii: "i") ^ 2]
        let head =
            "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nOrigin: http://127.0.0.1:\(port)\r\n\r\n"
        _ = (Array(head.utf8) + hi).withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var upgrades: [HTTPUpgrade] = []
        for _ in 0..<200 where upgrades.isEmpty {
            let ready = Poller.wait(readable: server.readDescriptors, writable: server.writeDescriptors, timeoutMicros: 50_000)
            server.service(ready: ready, now: now) { WebSocketHandshake.respond(to: $0) }
            upgrades += server.takeUpgraded()
        }
        XCTAssertEqual(upgrades.count, 1)
        XCTAssertEqual(server.connectionCount, 0, "the server forgets a connection it handed over")
        let ws = WebSocketConnection(try XCTUnwrap(upgrades.first))
        XCTAssertEqual(ws.receive(upTo: 4096, now: now), [.text("hi")])
        var text = ""
        var closed = false
        read(fd, into: &text, closed: &closed)
        XCTAssertTrue(text.hasPrefix("HTTP/1.1 101 Switching Protocols\r\n"), text)
        XCTAssertTrue(text.contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"), text)

        XCTAssertTrue(ws.send(WebSocketFrame.text("yo"), droppable: false))
        var buf = [UInt8](repeating: 0, count: 64)
        let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        XCTAssertEqual(Array(buf[0..<max(n, 0)]), [0x81, 2, UInt8(ascii: "y"), UInt8(ascii: "o")])

        // A frame without a mask: the server answers with close 1002 and finishes.
        _ = [UInt8]([0x81, 0x01, 0x41]).withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var answered: [UInt8] = []
        for _ in 0..<100 where !ws.isFinished {
            _ = Poller.wait(readable: [ws.fd], timeoutMicros: 20_000)
            _ = ws.receive(upTo: 4096, now: now)
        }
        let m = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        answered = Array(buf[0..<max(m, 0)])
        XCTAssertTrue(ws.isFinished)
        XCTAssertEqual(Array(answered.prefix(4)), [0x88, UInt8(answered.count - 2), 0x03, 0xEA], "close 1002")
        XCTAssertEqual(ws.endReason, "protocol error: client frame not masked")
    }
}
