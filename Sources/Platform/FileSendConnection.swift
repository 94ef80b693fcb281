import HTTP
import Wire

#if canImport(Glibc)
    import Glibc
#endif

/// A file (or a byte range of one) sent on a descriptor the `HTTPServer` handed over after writing the response
/// head: `sendfile(2)` from the page cache to the socket, as much as the socket takes and at most `perTurn` bytes a
/// turn, so a fast reader of a large recording cannot hold the event loop. The file stays open until the range is
/// sent or the reader goes; a reader that takes nothing for `stallTimeout` is closed.
public final class FileSendConnection {
    public let fd: Int32
    public let request: HTTPRequest
    private let file: Int32
    private var offset: Int64
    private let end: Int64
    private let perTurn: Int
    private var lastProgress: Int64
    public private(set) var endReason: String?
    public private(set) var sentBytes: Int64 = 0

    /// Opens `path` for `range` (inclusive); nil (and the descriptor closed) when the file cannot be opened.
    public init?(_ upgrade: HTTPUpgrade, path: String, range: ClosedRange<Int64>, perTurn: Int = 1 << 20, now: Int64) {
        fd = upgrade.fd
        request = upgrade.request
        file = open(path, O_RDONLY | O_CLOEXEC)
        guard file >= 0 else {
            close(upgrade.fd)
            return nil
        }
        offset = range.lowerBound
        end = range.upperBound + 1
        self.perTurn = perTurn
        lastProgress = now
    }

    deinit {
        close(file)
        close(fd)
    }

    public var isFinished: Bool { endReason != nil }
    public var wantsWrite: Bool { endReason == nil && offset < end }

    /// Sends what the socket takes now, up to `perTurn` bytes.
    public func flush(now: Int64) {
        var budget = perTurn
        while endReason == nil && offset < end && budget > 0 {
            var off = off_t(offset)
            let n = sendfile(fd, file, &off, min(Int(end - offset), budget))
            if n > 0 {
                offset += Int64(n)
                sentBytes += Int64(n)
                budget -= n
                lastProgress = now
                continue
            }
            if n == 0 {
                end("the file ended early (truncated while being sent)")
                return
            }
            if errno == EINTR { continue }
            if errno == EAGAIN || errno == EWOULDBLOCK { return }
            end(errno == EPIPE || errno == ECONNRESET ? "reader went away" : "sendfile failed: errno \(errno)")
        }
        if offset >= end { end("sent") }
    }

    /// Notices a reader that closed (what it sends after its request is thrown away).
    public func readAndDiscard() {
        guard endReason == nil, let why = SocketDrain.discard(fd) else { return }
        end(why)
    }

    public func expire(now: Int64, stallTimeout: Int64) {
        if endReason == nil && now - lastProgress > stallTimeout { end("too slow: took nothing for \(stallTimeout / 1_000_000) s") }
    }

    public func end(_ why: String) {
        if endReason == nil { endReason = why }
    }
}
