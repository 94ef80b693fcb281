import CWire

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
}
