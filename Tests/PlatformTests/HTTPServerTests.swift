import Foundation
import HTTP
import Wire
import XCTest

@testable import Platform

/// The non-blocking HTTP server over real loopback sockets, driven with a virtual `now` so its deadlines are
/// tested without waiting for them.
final class HTTPServerTests: XCTestCase {
    var server: HTTPServer!
    var port: UInt16 = 0
    var now: Int64 = 1_000_000

    override func setUpWithError() throws {
        var limits = HTTPServer.Limits()
        limits.maxConnections = 4
        limits.requestTimeout = 1_000_000
        limits.idleTimeout = 2_000_000
        server = try HTTPServer(bind: PeerAddress(ipv4: 0x7f00_0001, port: 0), limits: limits)
        port = server.address.port == 0 ? boundPort(server.listenFD) : server.address.port
    }

    func boundPort(_ fd: Int32) -> UInt16 {
        var a = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        return UInt16(bigEndian: a.sin_port)
    }

    /// Runs the server until `done` holds (each turn waits at most 50 ms for readiness, as a real loop would).
    func serve(turns: Int = 200, until done: () -> Bool) {
        for _ in 0..<turns {
            if done() { return }
            let ready = Poller.wait(readable: server.readDescriptors, writable: server.writeDescriptors, timeoutMicros: 50_000)
            server.service(ready: ready, now: now) { r in .text(200, "hello \(r.path)\n") }
        }
    }

    func connect() throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var tv = timeval(tv_sec: 0, tv_usec: 20_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET)
        a.sin_port = port.bigEndian
        a.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        let rc = withUnsafePointer(to: &a) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        XCTAssertEqual(rc, 0)
        return fd
    }

    func write(_ fd: Int32, _ s: String) { _ = Array(s.utf8).withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } }

    /// Reads what has arrived; `closed` turns true when the server closed the connection.
    func read(_ fd: Int32, into text: inout String, closed: inout Bool) {
        var buf = [UInt8](repeating: 0, count: 4096)
        let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n > 0 { text += String(decoding: buf[0..<n], as: UTF8.self) }
        if n == 0 { closed = true }
    }

    func exchange(_ fd: Int32, until: (String, Bool) -> Bool) -> (String, Bool) {
        var text = ""
        var closed = false
        serve {
            read(fd, into: &text, closed: &closed)
            return until(text, closed)
        }
        return (text, closed)
    }

    func testKeepAliveAnswersPipelinedRequestsInOrder() throws {
        let fd = try connect()
        defer { close(fd) }
        write(fd, "GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n")
        let (text, closed) = exchange(fd) { t, _ in t.contains("hello /b") }
        XCTAssertFalse(closed, "HTTP/1.1 keeps the connection")
        XCTAssertLessThan(try XCTUnwrap(text.range(of: "hello /a")).lowerBound, try XCTUnwrap(text.range(of: "hello /b")).lowerBound)
        XCTAssertEqual(server.counters.requests, 2)
    }

    func testAMalformedRequestGetsA400AndTheConnectionCloses() throws {
        let fd = try connect()
        defer { close(fd) }
        write(fd, "GET /metrics HTTP/1.1\r\nNo colon here\r\n\r\n")
        let (text, closed) = exchange(fd) { _, c in c }
        XCTAssertTrue(text.hasPrefix("HTTP/1.1 400"), text)
        XCTAssertTrue(closed)
        XCTAssertEqual(server.counters.badRequests, 1)
    }

    func testATricklingRequestIsCutOffAtTheRequestTimeout() throws {
        let fd = try connect()
        defer { close(fd) }
        write(fd, "GET /slow HTTP/1.1\r\nHo")
        serve { server.connectionCount == 1 }
        now += 900_000
        write(fd, "s")
        serve(turns: 3) { false }
        XCTAssertEqual(server.connectionCount, 1, "still within the request timeout")
        now += 200_000
        let (text, closed) = exchange(fd) { _, c in c }
        XCTAssertTrue(text.hasPrefix("HTTP/1.1 408"), text)
        XCTAssertTrue(closed)
        XCTAssertEqual(server.counters.timedOut, 1)
    }

    func testAnIdleKeepAliveConnectionIsClosedQuietly() throws {
        let fd = try connect()
        defer { close(fd) }
        write(fd, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        _ = exchange(fd) { t, _ in t.contains("hello /") }
        now += 2_100_000
        let (text, closed) = exchange(fd) { _, c in c }
        XCTAssertEqual(text, "", "no 408 for a connection that asked for nothing")
        XCTAssertTrue(closed)
    }

    func testConnectionsBeyondTheCapAreToldAndClosed() throws {
        let fds = try (0..<4).map { _ in try connect() }
        defer { for f in fds { close(f) } }
        serve { server.connectionCount == 4 }
        let extra = try connect()
        defer { close(extra) }
        let (text, closed) = exchange(extra) { _, c in c }
        XCTAssertTrue(text.hasPrefix("HTTP/1.1 503"), text)
        XCTAssertTrue(closed)
        XCTAssertEqual(server.connectionCount, 4)
        XCTAssertEqual(server.counters.refusedFull, 1)
    }

    func testHeadGetsHeadersOnly() throws {
        let fd = try connect()
        defer { close(fd) }
        write(fd, "HEAD /x HTTP/1.0\r\n\r\n")
        let (text, closed) = exchange(fd) { _, c in c }
        XCTAssertTrue(text.hasPrefix("HTTP/1.1 200"), text)
        XCTAssertTrue(text.contains("Content-Length: 9\r\n"), text)
        XCTAssertTrue(text.hasSuffix("\r\n\r\n"), "no body: \(text)")
        XCTAssertTrue(closed, "HTTP/1.0 closes")
    }

    func testTheResponderIsToldWhereTheRequestCameFrom() throws {
        let fd = try connect()
        defer { close(fd) }
        var local = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &local) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        write(fd, "GET /who HTTP/1.0\r\n\r\n")
        var seen: PeerAddress?
        var text = ""
        var closed = false
        for _ in 0..<200 where !closed {
            let ready = Poller.wait(readable: server.readDescriptors, writable: server.writeDescriptors, timeoutMicros: 50_000)
            server.service(ready: ready, now: now) { (r: HTTPRequest, from: PeerAddress?) in
                seen = from
                return .text(200, "ok\n")
            }
            read(fd, into: &text, closed: &closed)
        }
        XCTAssertTrue(text.hasPrefix("HTTP/1.1 200"), text)
        XCTAssertEqual(seen, PeerAddress(ipv4: 0x7f00_0001, port: UInt16(bigEndian: local.sin_port)))
    }

    /// A response promised with `.later` is sent by `answer`; a request pipelined behind it waits for it, and an
    /// answer for a connection that has gone is dropped.
    func testALaterAnswerIsSentAndKeepsTheOrder() throws {
        let fd = try connect()
        defer { close(fd) }
        write(fd, "GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /fast HTTP/1.1\r\nHost: x\r\n\r\n")
        var promised: HTTPTicket?
        var text = ""
        var closed = false
        func turn() {
            let ready = Poller.wait(readable: server.readDescriptors, writable: server.writeDescriptors, timeoutMicros: 20_000)
            server.service(ready: ready, now: now) { (r: HTTPRequest, _: PeerAddress?, ticket: HTTPTicket) -> HTTPReply in
                guard r.path == "/slow" else { return .now(.text(200, "fast\n")) }
                promised = ticket
                return .later
            }
            read(fd, into: &text, closed: &closed)
        }
        for _ in 0..<50 where promised == nil { turn() }
        for _ in 0..<5 { turn() }
        XCTAssertNotNil(promised)
        XCTAssertEqual(text, "", "nothing is answered while the first answer is promised")
        XCTAssertEqual(server.awaitingCount, 1)
        server.answer(try XCTUnwrap(promised), with: .text(200, "slow\n"), now: now)
        for _ in 0..<50 where !text.contains("fast") { turn() }
        XCTAssertLessThan(try XCTUnwrap(text.range(of: "slow")).lowerBound, try XCTUnwrap(text.range(of: "fast")).lowerBound)
        XCTAssertEqual(server.awaitingCount, 0)
        server.answer(try XCTUnwrap(promised), with: .text(200, "again\n"), now: now)
        for _ in 0..<3 { turn() }
        XCTAssertFalse(text.contains("again"), "a ticket is answered once")
    }
}
