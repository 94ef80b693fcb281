import WebSocket

#if canImport(Glibc)
    import Glibc
#endif

/// One WebSocket on a descriptor handed over by `HTTPServer` after its 101: non-blocking reads into the pure
/// `WebSocketParser`, writes from a bounded `WebSocketOutbox`. Pings are answered here; a protocol error, a
/// close from the peer or an outbox that cannot take a control message closes the connection.
public final class WebSocketConnection {
    public let fd: Int32
    private var parser: WebSocketParser
    private var outbox: WebSocketOutbox
    private var readBuffer = [UInt8](repeating: 0, count: 16_384)
    /// A close frame is queued (or the socket failed): nothing more is taken, and the descriptor closes once
    /// the close frame is written or `closeDeadline` passes.
    public private(set) var isClosing = false
    private var closeDeadline: Int64 = .max
    private var failed = false
    /// Why the connection ended, for the log.
    public private(set) var endReason: String?
    /// When the peer last sent a byte (0: never).
    public private(set) var lastHeard: Int64 = 0

    /// Takes `upgrade`'s descriptor; `leftover` bytes are parsed first.
    public init(_ upgrade: HTTPUpgrade, limits: WebSocketLimits = WebSocketLimits(), outbox: WebSocketOutbox = WebSocketOutbox()) {
        fd = upgrade.fd
        parser = WebSocketParser(limits: limits)
        self.outbox = outbox
        parser.receive(upgrade.leftover)
    }

    deinit { close(fd) }

    /// True when the descriptor should be polled for writing.
    public var wantsWrite: Bool { !outbox.isEmpty && !failed }
    /// True when the owner should drop this connection.
    public var isFinished: Bool { failed || (isClosing && outbox.isEmpty) }
    /// Frames refused because the peer was too far behind.
    public var droppedFrames: Int { outbox.dropped }
    public var queuedBytes: Int { outbox.queuedBytes }

    /// Reads what arrived (at most `max` bytes) and returns the text and binary messages; answers pings and
    /// closes itself on a close frame or a protocol error.
    public func receive(upTo max: Int, now: Int64) -> [WebSocketMessage] {
        guard !isClosing else { return [] }
        var total = 0
        while total < max {
            let n = readBuffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 {
                parser.receive(readBuffer[0..<n])
                total += n
                lastHeard = now
                continue
            }
            if n < 0 && errno == EINTR { continue }
            if n == 0 { fail("peer closed the connection") }
            if n < 0 && errno != EAGAIN && errno != EWOULDBLOCK {
                fail(errno == ECONNRESET ? "connection reset by the peer" : "read failed: errno \(errno)")
            }
            break
        }
        return messages(now: now)
    }

    private func messages(now: Int64) -> [WebSocketMessage] {
        var out: [WebSocketMessage] = []
        do {
            while let m = try parser.next() {
                switch m {
                case .ping(let payload): _ = send(WebSocketFrame.encode(.pong, payload), droppable: false)
                case .pong: break
                case .close(let code, _):
                    endReason = "peer closed (\(code.map(String.init) ?? "no status"))"
                    startClose(code: 1000, reason: "", now: now)
                    return out
                case .text, .binary: out.append(m)
                }
            }
        } catch {
            endReason = "protocol error: \(error.reason)"
            startClose(code: error.closeCode, reason: error.reason, now: now)
        }
        return out
    }

    /// Queues a whole frame and writes what the socket takes now. False when refused: a droppable frame while
    /// the peer is behind, or anything once closing. A control frame the outbox cannot take closes the connection.
    @discardableResult
    public func send(_ frame: [UInt8], droppable: Bool) -> Bool {
        guard !isClosing && !failed else { return false }
        guard outbox.push(frame, droppable: droppable) else {
            if !droppable {
                endReason = "too slow: \(outbox.queuedBytes) bytes waiting"
                fail(endReason!)
            }
            return false
        }
        flush()
        return true
    }

    /// Sends a close frame and closes once it is written (or after a second).
    public func startClose(code: UInt16, reason: String, now: Int64) {
        guard !isClosing && !failed else { return }
        _ = outbox.push(WebSocketFrame.close(code: code, reason: reason), droppable: false)
        isClosing = true
        closeDeadline = now + 1_000_000
        flush()
    }

    /// Drops whatever is queued and ends the connection now (a tab that gave its place up).
    public func abandon() {
        fail(endReason ?? "abandoned")
    }

    /// Gives up on a close whose frame the peer has not taken in time.
    public func expire(now: Int64) {
        if isClosing && now > closeDeadline { fail("close not taken in time") }
    }

    /// Writes what the socket takes.
    public func flush() {
        guard !failed else { return }
        outbox.drain { bytes in
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR { fail("write failed: errno \(errno)") }
            return max(n, 0)
        }
    }

    private func fail(_ why: String) {
        if endReason == nil { endReason = why }
        failed = true
    }
}
