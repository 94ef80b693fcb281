import Foundation
import XCTest

/// The metrics port never holds up the media: slow and silent HTTP clients cost descriptors, not turns of the
/// broker's event loop (before, three clients trickling one byte every 150 ms and 50 silent ones stopped
/// forwarding completely).
final class HTTPEdgeTests: IntegrationTestCase {
    func testMediaKeepsFlowingWithSlowAndSilentHTTPClients() throws {
        let broker = try startBroker(metrics: true)
        guard let metricsPort = broker.metricsPort else { return XCTFail("no metrics port") }
        try startProducer("1AAA99", brokerPort: broker.port, rate: 30)
        try waitForProducerOnline("1AAA99", at: broker)
        let out = folder("out")
        let client = try startClient(brokerPort: broker.port, subscribe: ["1AAA9901"], output: out)
        try waitForLine(client, startingWith: "subscribed to 1AAA9901")
        try waitUntil("the first frames are saved") { savedCount(out, stream: "1AAA9901") >= 5 }

        let silent = try (0..<50).map { _ in try TCPConnection(port: metricsPort) }
        let slow = try (0..<3).map { _ in try TCPConnection(port: metricsPort) }
        let stop = Atomic(false)
        let finished = DispatchSemaphore(value: 0)
        let trickler = Thread {
            defer { finished.signal() }
            // Paces the slow clients (one byte each every 150 ms); nothing waits on this thread's timing.
            let request = Array("GET /metrics HTTP/1.1\r\nHost: x\r\nX-Pad: ".utf8) + Array(repeating: UInt8(ascii: "a"), count: 4096)
            var i = 0
            while !stop.value && i < request.count {
                for c in slow { _ = c.send([request[i]]) }
                i += 1
                usleep(150_000)
            }
        }
        trickler.start()
        defer {
            stop.value = true
            finished.wait()  // the thread must be done with the descriptors before they are closed
            for c in silent + slow { c.close() }
        }

        // 150 more frames (5 s at 30 fps) while all 53 connections hang on.
        let before = savedFiles(out, stream: "1AAA9901").compactMap { savedName($0)?.frameNumber }.max() ?? 0
        try waitUntil("150 more frames are saved while slow and silent HTTP clients are attached", timeout: 20) {
            savedCount(out, stream: "1AAA9901") >= 155 + 5
        }
        let numbers = savedFiles(out, stream: "1AAA9901").compactMap { savedName($0)?.frameNumber }.filter { $0 > before }
        let span = Int((numbers.max() ?? before) - before)
        XCTAssertGreaterThanOrEqual(Double(numbers.count), 0.9 * Double(span), "frames saved of those sent in the window")

        // The port still answers a well-behaved client at once, and says what it refused.
        let health = try httpGet(port: metricsPort, path: "/healthz")
        XCTAssertEqual(health.status, 200)
        let metrics = try httpGet(port: metricsPort, path: "/metrics").body
        XCTAssertTrue(metrics.contains("broker_http_connections "), "the connection gauge is exported")
    }

    /// Garbage on the metrics port gets a 400 and is closed; the next request is served.
    func testMalformedRequestsGetA400() throws {
        let broker = try startBroker(metrics: true)
        guard let port = broker.metricsPort else { return XCTFail("no metrics port") }
        for garbage in ["BREW /pot HTCPCP/1.0\r\n\r\n", "GET /metrics HTTP/1.1\r\nBad Header\r\n\r\n", "\u{01}\u{02}\u{03}\r\n\r\n"] {
            let c = try TCPConnection(port: port)
            XCTAssertTrue(c.send(Array(garbage.utf8)))
            let answer = c.receiveAll()
            c.close()
            XCTAssertTrue(answer.hasPrefix("HTTP/1.1 4") || answer.hasPrefix("HTTP/1.1 5"), "\(garbage.debugDescription) got: \(answer.prefix(60))")
        }
        XCTAssertEqual(try httpGet(port: port, path: "/healthz").status, 200)
    }
}

/// A flag shared with a pacing thread.
final class Atomic<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var v: T
    init(_ v: T) { self.v = v }
    var value: T {
        get { lock.withLock { v } }
        set { lock.withLock { v = newValue } }
    }
}

/// A blocking TCP connection to 127.0.0.1, for hostile HTTP clients.
final class TCPConnection: @unchecked Sendable {
    let fd: Int32

    /// `source`: a loopback address to connect from (127.0.0.0/8), as a client on another host would.
    init(port: UInt16, source: String? = nil) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HarnessFailure("socket(): errno \(errno)") }
        if let source {
            var local = Ports.loopback(port: 0)
            guard inet_pton(AF_INET, source, &local.sin_addr) == 1, source.hasPrefix("127.") else { throw HarnessFailure("not loopback: \(source)") }
            let b = withUnsafePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard b == 0 else { throw HarnessFailure("bind \(source): errno \(errno)") }
        }
        var tv = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var addr = Ports.loopback(port: port)
        let c = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard c == 0 else { throw HarnessFailure("connect to 127.0.0.1:\(port): errno \(errno)") }
    }

    func send(_ bytes: [UInt8]) -> Bool { bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == bytes.count }

    /// Everything until the peer closes (or 5 s pass).
    func receiveAll() -> String {
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            out += buf[0..<n]
        }
        return String(decoding: out, as: UTF8.self)
    }

    func close() { Glibc.close(fd) }
}
