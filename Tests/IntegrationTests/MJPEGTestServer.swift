import Foundation

/// A tiny HTTP server on 127.0.0.1 standing in for an IP camera: it answers every GET with an endless
/// `multipart/x-mixed-replace` body cycling through `parts` (one every `interval`, after `first`), or with a fixed status. One
/// connection at a time, on a thread of its own; `stop()` closes the listening socket and the connection.
final class MJPEGTestServer: @unchecked Sendable {
    enum Reply {
        /// `first` once, then `parts` round and round.
        case multipart(
            first: [[UInt8]] = [], parts: [[UInt8]], interval: useconds_t, contentType: String = "multipart/x-mixed-replace; boundary=frame")
        case status(Int)
    }

    let port: UInt16
    private let fd: Int32
    private let reply: Reply
    private let lock = NSLock()
    private var stopped = false
    private var connection: Int32 = -1
    private var served = 0

    /// Listens on `port` (or a free one) and serves until stopped.
    init(port: UInt16? = nil, reply: Reply) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HarnessFailure("socket(): errno \(errno)") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = Ports.loopback(port: port ?? 0)
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 4) == 0 else {
            close(fd)
            throw HarnessFailure("test server: bind/listen on 127.0.0.1:\(port ?? 0): errno \(errno)")
        }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        self.fd = fd
        self.port = UInt16(bigEndian: addr.sin_port)
        self.reply = reply
        Thread { self.serve() }.start()
    }

    /// Requests answered so far.
    var requests: Int { lock.withLock { served } }

    func stop() {
        lock.withLock {
            stopped = true
            shutdown(fd, Int32(SHUT_RDWR))
            if connection >= 0 { shutdown(connection, Int32(SHUT_RDWR)) }
        }
    }

    deinit {
        stop()
        close(fd)
    }

    private var isStopped: Bool { lock.withLock { stopped } }

    private func serve() {
        while !isStopped {
            let c = accept(fd, nil, nil)
            guard c >= 0 else { continue }
            lock.withLock {
                connection = c
                served += 1
            }
            readRequestHead(c)
            answer(c)
            lock.withLock { connection = -1 }
            close(c)
        }
    }

    private func readRequestHead(_ c: Int32) {
        var head: [UInt8] = []
        var byte: UInt8 = 0
        while head.count < 8192, recv(c, &byte, 1, 0) == 1 {
            head.append(byte)
            if head.suffix(4) == [13, 10, 13, 10] { return }
        }
    }

    private func answer(_ c: Int32) {
        switch reply {
        case .status(let code):
            _ = write(c, Array("HTTP/1.1 \(code) Test\r\nContent-Length: 5\r\nConnection: close\r\n\r\nnope\n".utf8))
        case .multipart(let first, let parts, let interval, let contentType):
            guard write(c, Array("HTTP/1.0 200 OK\r\nContent-Type: \(contentType)\r\nCache-Control: no-cache\r\n\r\n".utf8)) else { return }
            var index = 0
            while !isStopped {
                let part = index < first.count ? first[index] : parts[(index - first.count) % parts.count]
                let header = "--frame\r\nContent-Type: image/jpeg\r\nContent-Length: \(part.count)\r\n\r\n"
                guard write(c, Array(header.utf8) + part + [13, 10]) else { return }
                index += 1
                usleep(interval)  // the camera's frame interval: pacing the source, not synchronising the test
            }
        }
    }

    private func write(_ c: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { send(c, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { return false }
            offset += n
        }
        return true
    }
}
