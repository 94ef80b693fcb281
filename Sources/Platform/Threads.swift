#if canImport(Glibc)
    import Glibc
#endif

/// A joinable POSIX thread running a closure.
public final class PosixThread: @unchecked Sendable {
    private var thread = pthread_t()
    private final class Box {
        let body: @Sendable () -> Void
        init(_ b: @escaping @Sendable () -> Void) { body = b }
    }

    public init(_ body: @escaping @Sendable () -> Void) {
        let box = Unmanaged.passRetained(Box(body)).toOpaque()
        let rc = pthread_create(
            &thread, nil,
            { arg in
                let b = Unmanaged<Box>.fromOpaque(arg!).takeRetainedValue()
                b.body()
                return nil
            }, box)
        precondition(rc == 0, "pthread_create failed: \(rc)")
    }

    public func join() { pthread_join(thread, nil) }
}

/// A pipe used to tell many event loops to stop: once `fire()` is called its read end stays readable.
public struct StopSignal: Sendable {
    public let readFD: Int32
    public let writeFD: Int32
    public init() {
        var fds: [Int32] = [0, 0]
        precondition(pipe(&fds) == 0, "pipe failed")
        readFD = fds[0]
        writeFD = fds[1]
    }
    public func fire() {
        var b: UInt8 = 1
        _ = write(writeFD, &b, 1)
    }
    /// Takes one `fire()` back (for a pipe used as a counter of finished threads); true if there was one.
    public func consume() -> Bool {
        var b: UInt8 = 0
        return read(readFD, &b, 1) == 1
    }
}
