#if canImport(Glibc)
    import Glibc
#endif

/// Reads lines from a file descriptor without blocking the event loop.
public struct LineReader: Sendable {
    public let fd: Int32
    private var pending: [UInt8] = []
    public private(set) var atEnd = false
    private var afterCR = false

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
        // CR LF ends one line, not two (an empty line is a line: Enter alone means something to the client), also
        // when the LF comes in the next read.
        if afterCR, pending.first == 10 { pending.removeFirst() }
        afterCR = false
        while let nl = pending.firstIndex(where: { $0 == 10 || $0 == 13 }) {
            lines.append(String(decoding: pending[..<nl], as: UTF8.self))
            let crlf = pending[nl] == 13 && nl + 1 < pending.count && pending[nl + 1] == 10
            if pending[nl] == 13 && nl + 1 == pending.count { afterCR = true }
            pending.removeFirst(crlf ? nl + 2 : nl + 1)
        }
        if atEnd && !pending.isEmpty {
            lines.append(String(decoding: pending, as: UTF8.self))
            pending.removeAll()
        }
        return lines
    }
}
