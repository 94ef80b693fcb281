import CWire

#if canImport(Glibc)
    import Glibc
#endif

/// SIGINT/SIGTERM as a readable file descriptor, for poll loops.
public struct SignalWatcher: Sendable {
    public let fd: Int32
    /// Blocks the signals in this thread and threads created after; call first thing in main.
    public init() { fd = cwire_signalfd() }
    /// The signal that arrived, if any.
    public func take() -> Int32? {
        let s = cwire_read_signal(fd)
        return s > 0 ? s : nil
    }

    /// Delivers SIGUSR1 through the descriptor too (a report request, not a stop), for a program that answers it.
    /// Call before any thread starts, as for `init`: a thread that does not block it would die of it.
    public func watchUser1() { _ = cwire_signalfd_add(fd, SIGUSR1) }
}
