import Foundation

/// A pseudo-terminal for a child process, as `docker attach` to a container with a tty gives one: the child sees
/// a terminal on stdin and stdout (isatty, termios, a window size); the test types on the primary side, and a
/// thread copies what the terminal shows into a file the harness reads like any stdout.
final class PseudoTerminal: @unchecked Sendable {
    let primary: Int32
    private(set) var secondary: FileHandle

    init(columns: UInt16 = 100, rows: UInt16 = 30) throws {
        // posix_openpt, unlockpt and ptsname are hidden from Swift's Glibc module (they need _XOPEN_SOURCE); on
        // Linux they are /dev/ptmx and two ioctls: TIOCSPTLCK (unlock) and TIOCGPTN (the pts number).
        primary = open("/dev/ptmx", O_RDWR | O_NOCTTY)
        var unlock: Int32 = 0
        var number: UInt32 = 0
        guard primary >= 0, ioctl(primary, 0x4004_5431, &unlock) == 0, ioctl(primary, 0x8004_5430, &number) == 0 else {
            throw HarnessFailure("cannot open a pseudo-terminal: errno \(errno)")
        }
        let name = "/dev/pts/\(number)"
        let fd = open(name, O_RDWR | O_NOCTTY)
        guard fd >= 0 else { throw HarnessFailure("cannot open \(name): errno \(errno)") }
        var size = winsize(ws_row: rows, ws_col: columns, ws_xpixel: 0, ws_ypixel: 0)
        _ = ioctl(fd, UInt(TIOCSWINSZ), &size)
        secondary = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
    }

    deinit { close(primary) }

    /// The child holds its own copy after launch; ours is closed so the primary side sees EOF when it exits.
    func closeSecondary() { try? secondary.close() }

    /// Copies everything the terminal shows to `path` until the child side is gone.
    func copyOutput(to path: String) {
        let fd = primary
        let thread = Thread {
            guard let file = FileHandle(forWritingAtPath: path) else { return }
            var buf = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }  // EIO once no process holds the secondary side
                file.seekToEndOfFile()
                file.write(Data(buf[0..<n]))
            }
            try? file.close()
        }
        thread.start()
    }

    /// Types bytes as a user would (no newline added).
    func type(_ text: String) throws {
        let bytes = Array(text.utf8)
        let n = bytes.withUnsafeBytes { write(primary, $0.baseAddress, $0.count) }
        guard n == bytes.count else { throw HarnessFailure("cannot type on the terminal: errno \(errno)") }
    }
}
