import Wire

#if canImport(Glibc)
    import Glibc
#endif

/// A blocking HTTP GET with a 2 s timeout, for `broker --healthcheck` in images without curl (never used inside an
/// event loop).
public enum HTTPProbe {
    /// GETs `path`; true on a 200 answer.
    public static func get(_ address: PeerAddress, path: String = "/healthz") -> Bool {
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
            || String(decoding: buf[0..<n], as: UTF8.self).hasPrefix("HTTP/1.1 200")
    }
}
