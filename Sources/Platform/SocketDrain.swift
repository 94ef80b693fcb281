#if canImport(Glibc)
    import Glibc
#endif

/// The peer of a one-way connection (a player reading a stream or a file) sends nothing we use: what arrives is
/// read and dropped, only to notice when the peer goes.
enum SocketDrain {
    /// Reads and drops what is queued on the non-blocking `fd`; why the peer is gone, or nil while it is there.
    static func discard(_ fd: Int32) -> String? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 { continue }
            if n < 0 && errno == EINTR { continue }
            if n == 0 { return "reader closed the connection" }
            return errno == EAGAIN || errno == EWOULDBLOCK ? nil : "reader went away"
        }
    }
}
