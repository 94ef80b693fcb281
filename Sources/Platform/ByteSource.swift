import Wire

#if canImport(Glibc)
    import Glibc
#endif

/// What one timed read of a `ByteSource` gave.
public enum ByteSourceRead: Sendable {
    /// Some bytes (never empty).
    case bytes([UInt8])
    /// Nothing arrived within the timeout.
    case timeout
    /// The writer closed (a pipe, a FIFO, a socket), or a regular file has no more bytes yet.
    case end
    case failed(SystemError)
}

/// One readable file descriptor of a live source (standard input, a FIFO, a growing file, a TCP connection),
/// read with a timeout so the reading thread can notice a stalled source and a stop request. Owned by one thread.
public final class ByteSource: @unchecked Sendable {
    /// The descriptor (closed by `close()`; standard input is never closed).
    public let fd: Int32
    /// Whether it is a regular file (where the end means "not written yet", not "closed").
    public let isRegularFile: Bool
    private var closed = false

    private init(fd: Int32, isRegularFile: Bool) {
        self.fd = fd
        self.isRegularFile = isRegularFile
    }

    /// The producer's standard input.
    public static func standardInput() -> ByteSource { ByteSource(fd: 0, isRegularFile: false) }

    /// Opens a file for reading. A FIFO is opened blocking, so this waits until a writer opens it (call it on the
    /// source's own thread): a FIFO opened without a writer would read as ended at once, again and again.
    public static func open(_ path: String) throws(SystemError) -> ByteSource {
        var pathStat = stat()
        guard stat(path, &pathStat) == 0 else { throw SystemError("stat \(path)") }
        let isFIFO = (pathStat.st_mode & S_IFMT) == S_IFIFO
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | (isFIFO ? 0 : O_NONBLOCK))
        guard fd >= 0 else { throw SystemError("open \(path)") }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let e = SystemError("stat \(path)")
            Glibc.close(fd)
            throw e
        }
        let kind = st.st_mode & S_IFMT
        guard kind == S_IFREG || kind == S_IFIFO || kind == S_IFCHR || kind == S_IFSOCK else {
            Glibc.close(fd)
            throw SystemError("\(path) is not a file, a FIFO or a device", EINVAL)
        }
        return ByteSource(fd: fd, isRegularFile: kind == S_IFREG)
    }

    /// Connects a TCP socket to `address` within `timeoutMicros`.
    public static func connect(to address: PeerAddress, timeoutMicros: Int64) throws(SystemError) -> ByteSource {
        let fd = socket(
            address.isIPv6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw SystemError("socket") }
        let source = ByteSource(fd: fd, isRegularFile: false)
        var storage = sockaddr_storage()
        let length = address.write(to: &storage)
        let rc = withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, length) } }
        if rc != 0 {
            guard errno == EINPROGRESS else {
                let e = SystemError("connect \(address)")
                source.close()
                throw e
            }
            guard !Poller.wait(readable: [], writable: [fd], timeoutMicros: timeoutMicros).isEmpty else {
                source.close()
                throw SystemError("connect \(address): no answer within \(timeoutMicros / 1000) ms", ETIMEDOUT)
            }
            var error: Int32 = 0
            var size = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size)
            guard error == 0 else {
                source.close()
                throw SystemError("connect \(address)", error)
            }
        }
        return source
    }

    /// Writes all of `bytes` (a request), waiting at most `timeoutMicros` for room.
    public func write(_ bytes: [UInt8], timeoutMicros: Int64) throws(SystemError) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if n > 0 {
                offset += n
                continue
            }
            guard n < 0, errno == EAGAIN || errno == EINTR else { throw SystemError("send") }
            guard !Poller.wait(readable: [], writable: [fd], timeoutMicros: timeoutMicros).isEmpty else {
                throw SystemError("send: no room within \(timeoutMicros / 1000) ms", ETIMEDOUT)
            }
        }
    }

    /// Reads up to `maxBytes`, waiting at most `timeoutMicros` for any.
    public func read(maxBytes: Int, timeoutMicros: Int64) -> ByteSourceRead {
        if !isRegularFile, Poller.wait(readable: [fd], timeoutMicros: timeoutMicros).isEmpty { return .timeout }
        var buffer = [UInt8](repeating: 0, count: maxBytes)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n > 0 {
                buffer.removeLast(maxBytes - n)
                return .bytes(buffer)
            }
            if n == 0 { return .end }
            if errno == EINTR { continue }
            if errno == EAGAIN { return .timeout }
            return .failed(SystemError("read"))
        }
    }

    /// Whether a regular file is now shorter than `offset` (it was truncated or replaced: read it from the start).
    public func shrank(below offset: Int) -> Bool {
        var st = stat()
        return fstat(fd, &st) == 0 && Int(st.st_size) < offset
    }

    /// Closes the descriptor (not standard input); safe to call twice.
    public func close() {
        guard !closed, fd != 0 else { return }
        closed = true
        Glibc.close(fd)
    }

    deinit { close() }
}
