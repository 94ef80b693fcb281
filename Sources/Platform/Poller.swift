#if canImport(Glibc)
    import Glibc
#endif

/// Readiness of a fixed set of descriptors (poll, level-triggered), for a process that waits on many sockets:
/// the `pollfd` array is built once, not at every wait.
///
/// poll rather than epoll, although poll hands the kernel every descriptor at each wait: an epoll set keeps a
/// callback on every socket's wait queue, so *every* datagram queued on any of them, even while this process is
/// busy, runs that callback in the sender's system call. poll registers only while it sleeps. The reference
/// load generator (`../shared/bench/udpload.c`) waits with poll too; an epoll variant of it made the reference
/// forwarder spend 10-15% more CPU per delivered datagram (docs/PERFORMANCE.md).
public final class Poller: @unchecked Sendable {
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

    /// Waits for any of `fds` to become readable (or writable, for those in `writable`), at most `timeoutMicros`.
    /// Returns the descriptors that are ready.
    /// Every turn of every event loop comes here: one array in and one set out, built in one pass each.
    public static func wait(readable: [Int32], writable: [Int32] = [], timeoutMicros: Int64) -> Set<Int32> {
        var fds: [pollfd] = []
        fds.reserveCapacity(readable.count + writable.count)
        for fd in readable { fds.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0)) }
        for fd in writable { fds.append(pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)) }
        let ms = timeoutMicros <= 0 ? 0 : Int32(min((timeoutMicros + 999) / 1000, 60_000))
        let n = poll(&fds, nfds_t(fds.count), ms)
        guard n > 0 else { return [] }
        var ready = Set<Int32>(minimumCapacity: Int(n))
        for p in fds where p.revents != 0 { ready.insert(p.fd) }
        return ready
    }
}
