#if canImport(Glibc)
import Glibc
#endif
import Wire

/// A tiny HTTP/1.0 responder for /metrics and /healthz: accepts on a non-blocking TCP socket, reads one request
/// (briefly), answers and closes. Never blocks the event loop for more than a few milliseconds per request.
public final class MetricsServer: @unchecked Sendable {
    public let fd: Int32
    public let address: PeerAddress

    public init(bind address: PeerAddress) throws(SystemError) {
        let s = socket(address.isIPv6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard s >= 0 else { throw SystemError("socket") }
        var one: Int32 = 1
        setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var storage = sockaddr_storage()
        let len = address.write(to: &storage)
        let rc = withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(s, $0, len) } }
        guard rc == 0, listen(s, 16) == 0 else {
            let e = SystemError("bind/listen \(address) (metrics)")
            close(s)
            throw e
        }
        fd = s
        self.address = address
    }

    deinit { close(fd) }

    /// Answers every waiting connection. `render(path)` returns (status, content type, body) for a path.
    public func serve(_ render: (String) -> (Int, String, String)) {
        while true {
            let c = accept(fd, nil, nil)
            guard c >= 0 else { return }
            var tv = timeval(tv_sec: 0, tv_usec: 200_000)
            setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
            setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
            var buf = [UInt8](repeating: 0, count: 2048)
            var got = 0
            while got < buf.count {
                let n = buf.withUnsafeMutableBytes { recv(c, $0.baseAddress! + got, $0.count - got, 0) }
                if n <= 0 { break }
                got += n
                if buf[0..<got].contains(10) { break }  // the request line is all we need
            }
            let line = String(decoding: buf[0..<got].prefix { $0 != 13 && $0 != 10 }, as: UTF8.self)
            let parts = line.split(separator: " ")
            let (status, type, body): (Int, String, String)
            if parts.count >= 2, parts[0] == "GET" || parts[0] == "HEAD" {
                (status, type, body) = render(String(parts[1]))
            } else {
                (status, type, body) = (400, "text/plain", "bad request\n")
            }
            let reason = [200: "OK", 404: "Not Found", 400: "Bad Request", 503: "Service Unavailable"][status] ?? "OK"
            let head = "HTTP/1.0 \(status) \(reason)\r\nContent-Type: \(type)\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n"
            let payload = Array((parts.first == "HEAD" ? head : head + body).utf8)
            var off = 0
            while off < payload.count {
                let n = payload.withUnsafeBytes { Glibc.send(c, $0.baseAddress! + off, $0.count - off, Int32(MSG_NOSIGNAL)) }
                if n <= 0 { break }
                off += n
            }
            close(c)
        }
    }
}

extension MetricsServer {
    /// GETs `path` from a metrics listener (for `broker --healthcheck` in images without curl). True on HTTP 200.
    public static func probe(_ address: PeerAddress, path: String = "/healthz") -> Bool {
        let s = socket(address.isIPv6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard s >= 0 else { return false }
        defer { close(s) }
        var tv = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var storage = sockaddr_storage()
        let len = address.write(to: &storage)
        let rc = withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(s, $0, len) } }
        guard rc == 0 else { return false }
        let req = Array("GET \(path) HTTP/1.0\r\nHost: localhost\r\n\r\n".utf8)
        guard req.withUnsafeBytes({ Glibc.send(s, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == req.count else { return false }
        var buf = [UInt8](repeating: 0, count: 64)
        let n = buf.withUnsafeMutableBytes { recv(s, $0.baseAddress, $0.count, 0) }
        guard n > 12 else { return false }
        return String(decoding: buf[0..<n], as: UTF8.self).hasPrefix("HTTP/1.0 200")
    }
}
