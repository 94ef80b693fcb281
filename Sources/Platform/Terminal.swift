#if canImport(Glibc)
    import Glibc
#endif

/// A terminal on a file descriptor, switched to byte-at-a-time input without echo, so the program edits the
/// line itself and can redraw status lines above it without losing what the user has typed. Ctrl-C still
/// raises SIGINT (ISIG stays on). `restore()` puts the settings back; call it before the process exits.
public final class Terminal {
    public let fd: Int32
    private var saved: termios
    private var restored = false

    /// Takes over `fd` if it is a terminal; nil otherwise (a pipe, a file, /dev/null).
    public init?(fd: Int32) {
        guard isatty(fd) == 1 else { return nil }
        var t = termios()
        guard tcgetattr(fd, &t) == 0 else { return nil }
        self.fd = fd
        saved = t
        t.c_lflag &= ~tcflag_t(ICANON | ECHO)
        // VMIN 1, VTIME 0: a read returns as soon as one byte is there (the descriptor is non-blocking anyway).
        withUnsafeMutableBytes(of: &t.c_cc) { cc in
            cc[Int(VMIN)] = 1
            cc[Int(VTIME)] = 0
        }
        guard tcsetattr(fd, TCSANOW, &t) == 0 else { return nil }
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
    }

    deinit { restore() }

    /// Puts back the settings found at start.
    public func restore() {
        guard !restored else { return }
        restored = true
        _ = tcsetattr(fd, TCSANOW, &saved)
    }

    /// Terminals narrower than this are taken to be of unknown width: `docker attach` from a program without a
    /// window of its own sizes the container's terminal to next to nothing, which would cut every line.
    public static let minColumns = 20

    /// Columns of the terminal on `fd` (80 when it does not say, or says less than `minColumns`).
    public static func columns(_ fd: Int32) -> Int {
        var w = winsize()
        guard ioctl(fd, UInt(TIOCGWINSZ), &w) == 0, Int(w.ws_col) >= minColumns else { return 80 }
        return Int(w.ws_col)
    }

    /// The bytes available now, at most 4,096; nil when the terminal is gone (hung up or closed).
    public func readAvailable() -> [UInt8]? {
        var buf = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n > 0 { return Array(buf[0..<n]) }
            if n == 0 { return nil }
            if errno == EINTR { continue }
            return errno == EAGAIN || errno == EWOULDBLOCK ? [] : nil
        }
    }
}
