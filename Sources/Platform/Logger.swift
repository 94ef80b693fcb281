import Synchronization
import Wire

#if canImport(Glibc)
    import Glibc
#endif

/// Leveled logging to stderr, one write(2) per line so lines from threads never interleave.
public final class Logger: Sendable {
    public let name: String
    private let minimum: Atomic<Int>

    public init(name: String, level: LogLevel = .info) {
        self.name = name
        minimum = Atomic(level.rawValue)
    }

    public var level: LogLevel {
        get { LogLevel(rawValue: minimum.load(ordering: .relaxed)) ?? .info }
        set { minimum.store(newValue.rawValue, ordering: .relaxed) }
    }

    public func enabled(_ l: LogLevel) -> Bool { l.rawValue >= minimum.load(ordering: .relaxed) }

    public func log(_ l: LogLevel, _ message: @autoclosure () -> String) {
        guard enabled(l) else { return }
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        var t = tm()
        var secs = ts.tv_sec
        gmtime_r(&secs, &t)
        func pad(_ v: Int32, _ n: Int = 2) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, n - s.count)) + s
        }
        let stamp = "\(pad(t.tm_hour)):\(pad(t.tm_min)):\(pad(t.tm_sec)).\(pad(Int32(ts.tv_nsec / 1_000_000), 3))"
        let line = "\(stamp) \(l.description.uppercased()) \(name): \(message())\n"
        writeAll(2, line)
    }
    public func debug(_ m: @autoclosure () -> String) { log(.debug, m()) }
    public func info(_ m: @autoclosure () -> String) { log(.info, m()) }
    public func warning(_ m: @autoclosure () -> String) { log(.warning, m()) }
    public func error(_ m: @autoclosure () -> String) { log(.error, m()) }
}

/// Writes a whole string to a file descriptor (retrying short writes and EINTR).
public func writeAll(_ fd: Int32, _ s: String) {
    var bytes = Array(s.utf8)
    var off = 0
    while off < bytes.count {
        let n = bytes.withUnsafeMutableBytes { write(fd, $0.baseAddress! + off, $0.count - off) }
        if n < 0 {
            if errno == EINTR { continue }
            return
        }
        off += n
    }
    _ = bytes.count
}

/// Prints a line to stdout (the interactive prompt and its answers), unbuffered.
public func say(_ s: String) { writeAll(1, s + "\n") }
