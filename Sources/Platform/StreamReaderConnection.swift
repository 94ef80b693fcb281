import HTTP
import StreamHTTP
import Wire

#if canImport(Glibc)
    import Glibc
#endif

/// One HTTP reader of a live stream (a player on `/streams/<ID>.mjpg` or `.mp3`), on a descriptor the
/// `HTTPServer` handed over after writing the response head. Whole frames wait in a bounded `FrameOutbox` and
/// leave in gathered writes (`writev`) of pieces shared with every other reader; whatever the reader sends is read
/// and thrown away, only to notice when it goes. A reader that takes nothing for `stallTimeout` while frames wait is
/// closed as too slow.
public final class StreamReaderConnection {
    public let fd: Int32
    public let request: HTTPRequest
    public let peer: PeerAddress?
    public let opened: Int64
    public private(set) var outbox: FrameOutbox
    /// Why the connection ended, for the log; nil while it is open.
    public private(set) var endReason: String?
    /// The last time the socket took bytes, or the outbox was empty.
    private var lastProgress: Int64
    /// iovecs handed to one writev at most.
    private static let maxPieces = 48

    public init(_ upgrade: HTTPUpgrade, limits: FrameOutbox.Limits, now: Int64) {
        fd = upgrade.fd
        request = upgrade.request
        peer = upgrade.peer
        opened = now
        lastProgress = now
        outbox = FrameOutbox(limits: limits)
    }

    deinit { close(fd) }

    public var isFinished: Bool { endReason != nil }
    public var wantsWrite: Bool { !outbox.isEmpty && endReason == nil }

    /// Queues one whole frame and writes what the socket takes now. False when the frame was dropped (counted).
    @discardableResult
    public func send(_ pieces: [ArraySlice<UInt8>], now: Int64) -> Bool {
        guard endReason == nil else { return false }
        if outbox.isEmpty { lastProgress = now }
        guard outbox.push(pieces) else { return false }
        flush(now: now)
        return true
    }

    /// Whether a frame of `bytes` would be queued now (an ICY reader asks before it cuts a chunk).
    public func accepts(_ bytes: Int) -> Bool { endReason == nil && outbox.accepts(bytes) }

    /// Writes what the socket takes.
    public func flush(now: Int64) {
        while endReason == nil && !outbox.isEmpty {
            let pieces = outbox.pending(max: Self.maxPieces)
            let n = Self.gather(pieces) { iov, count in writev(fd, iov, count) }
            if n > 0 {
                outbox.consume(n)
                lastProgress = now
                continue
            }
            if n < 0 && errno == EINTR { continue }
            if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { return }
            end(errno == EPIPE || errno == ECONNRESET ? "reader went away" : "write failed: errno \(errno)")
        }
    }

    /// Reads and drops what the reader sent; notices when it closed.
    public func readAndDiscard() {
        guard endReason == nil, let why = SocketDrain.discard(fd) else { return }
        end(why)
    }

    /// Closes a reader that took nothing for `stallTimeout` while frames waited.
    public func expire(now: Int64, stallTimeout: Int64) {
        if outbox.isEmpty { lastProgress = now }
        if endReason == nil && now - lastProgress > stallTimeout {
            end("too slow: took nothing for \(stallTimeout / 1_000_000) s with \(outbox.queuedBytes) bytes waiting")
        }
    }

    /// Ends the connection (the descriptor closes when the owner lets go of it).
    public func end(_ why: String) {
        if endReason == nil { endReason = why }
    }

    /// Calls `body` with iovecs over `pieces`; every piece's storage stays pinned for the call.
    static func gather(_ pieces: [ArraySlice<UInt8>], _ body: (UnsafePointer<iovec>, Int32) -> Int) -> Int {
        var iovs = [iovec](repeating: iovec(), count: pieces.count)
        func pin(_ i: Int) -> Int {
            guard i < pieces.count else { return iovs.withUnsafeBufferPointer { body($0.baseAddress!, Int32(pieces.count)) } }
            return pieces[i].withUnsafeBytes { raw in
                iovs[i] = iovec(iov_base: UnsafeMutableRawPointer(mutating: raw.baseAddress), iov_len: raw.count)
                return pin(i + 1)
            }
        }
        return pin(0)
    }
}
