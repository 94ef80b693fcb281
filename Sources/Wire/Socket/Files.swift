#if canImport(Glibc)
import Glibc
#endif
import CWire

/// Small file-system helpers over Glibc (the executables link no Foundation, which keeps them small and static).
public enum Files {
    public static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// Names in a directory (no `.`/`..`), or an error.
    public static func list(_ path: String) throws(SystemError) -> [String] {
        guard let dir = opendir(path) else { throw SystemError("opendir \(path)") }
        defer { closedir(dir) }
        var out: [String] = []
        while let e = readdir(dir) {
            let name = withUnsafePointer(to: e.pointee.d_name) { $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) } }
            if name != "." && name != ".." { out.append(name) }
        }
        return out
    }

    /// Reads a whole file, refusing anything larger than `limit` bytes.
    public static func read(_ path: String, limit: Int) throws(SystemError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SystemError("open \(path)") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw SystemError("stat \(path)") }
        guard Int(st.st_size) <= limit else { throw SystemError("\(path) is \(st.st_size) bytes, over the limit of \(limit)", EFBIG) }
        var out = [UInt8](repeating: 0, count: Int(st.st_size))
        var off = 0
        while off < out.count {
            let n = out.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + off, $0.count - off) }
            if n < 0 {
                if errno == EINTR { continue }
                throw SystemError("read \(path)")
            }
            if n == 0 { break }
            off += n
        }
        if off < out.count { out.removeLast(out.count - off) }
        return out
    }

    public static func makeDirectories(_ path: String) throws(SystemError) {
        var current = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            current += "/" + part
            if mkdir(current, 0o755) != 0 && errno != EEXIST { throw SystemError("mkdir \(current)") }
        }
    }

    /// Writes a file atomically (temporary name, then rename), so readers never see half a frame.
    public static func write(_ path: String, _ bytes: [UInt8]) throws(SystemError) {
        let tmp = path + ".part"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw SystemError("open \(tmp)") }
        var off = 0
        while off < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + off, $0.count - off) }
            if n < 0 {
                if errno == EINTR { continue }
                let e = SystemError("write \(tmp)")
                close(fd)
                unlink(tmp)
                throw e
            }
            off += n
        }
        close(fd)
        guard rename(tmp, path) == 0 else { throw SystemError("rename \(path)") }
    }

    public static func isTerminal(_ fd: Int32) -> Bool { isatty(fd) == 1 }
}

/// Reads lines from a file descriptor without blocking the event loop.
public struct LineReader: Sendable {
    public let fd: Int32
    private var pending: [UInt8] = []
    public private(set) var atEnd = false

    public init(fd: Int32) {
        self.fd = fd
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
    }

    /// Reads what is available and returns the complete lines.
    public mutating func readLines() -> [String] {
        var buf = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n > 0 {
                pending.append(contentsOf: buf[0..<n])
                if pending.count > 1 << 16 { pending.removeFirst(pending.count - (1 << 16)) }
                continue
            }
            if n == 0 { atEnd = true }
            if n < 0 && errno == EINTR { continue }
            break
        }
        var lines: [String] = []
        while let nl = pending.firstIndex(where: { $0 == 10 || $0 == 13 }) {
            lines.append(String(decoding: pending[..<nl], as: UTF8.self))
            pending.removeFirst(nl + 1)
        }
        if atEnd && !pending.isEmpty {
            lines.append(String(decoding: pending, as: UTF8.self))
            pending.removeAll()
        }
        return lines.filter { !$0.isEmpty }
    }
}

/// Waits for any of `fds` to become readable (or writable, for those in `writable`), at most `timeoutMicros`.
/// Returns the descriptors that are ready.
public func waitForEvents(readable: [Int32], writable: [Int32] = [], timeoutMicros: Int64) -> Set<Int32> {
    var fds = readable.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) } + writable.map { pollfd(fd: $0, events: Int16(POLLOUT), revents: 0) }
    let ms = timeoutMicros <= 0 ? 0 : Int32(min((timeoutMicros + 999) / 1000, 60_000))
    let n = poll(&fds, nfds_t(fds.count), ms)
    guard n > 0 else { return [] }
    return Set(fds.filter { $0.revents != 0 }.map(\.fd))
}

/// Readiness of a fixed set of descriptors (poll, level-triggered), for a process that waits on many sockets:
/// the `pollfd` array is built once, not at every wait.
///
/// poll rather than epoll, although poll hands the kernel every descriptor at each wait: an epoll set keeps a
/// callback on every socket's wait queue, so *every* datagram queued on any of them, even while this process is
/// busy, runs that callback in the sender's system call. poll registers only while it sleeps. The reference
/// load generator (`../shared/bench/udpload.c`) waits with poll too; an epoll variant of it made the reference
/// forwarder spend 10-15% more CPU per delivered datagram (docs/PERFORMANCE.md).
public final class ReadinessPoller: @unchecked Sendable {
    private var fds: [pollfd] = []
    private var ready: [Int32] = []

    public init() {}

    /// Watches `fd` for readability.
    public func add(_ fd: Int32) throws(SystemError) {
        guard fd >= 0, fcntl(fd, F_GETFD) >= 0 else { throw SystemError("poll: descriptor \(fd)") }
        fds.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0))
    }

    /// Waits at most `timeoutMicros` (rounded up to milliseconds); returns the readable descriptors.
    public func wait(timeoutMicros: Int64) -> ArraySlice<Int32> {
        let ms = timeoutMicros <= 0 ? 0 : Int32(min((timeoutMicros + 999) / 1000, 60_000))
        ready.removeAll(keepingCapacity: true)
        let n = fds.withUnsafeMutableBufferPointer { poll($0.baseAddress, nfds_t($0.count), ms) }
        guard n > 0 else { return [] }
        for p in fds where p.revents != 0 { ready.append(p.fd) }
        return ready[...]
    }
}
