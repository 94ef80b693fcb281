import HTTP
import Wire

#if canImport(Glibc)
    import Glibc
#endif

/// One accepted HTTP connection: non-blocking reads into the parser, one response at a time written out as the
/// socket takes it, and the deadline by which the next thing must happen.
final class HTTPConnection {
    let fd: Int32
    /// Who connected (the status page slows down failed logins per source).
    let peer: PeerAddress?
    private let limits: HTTPServer.Limits
    private var parser: HTTPRequestParser
    private var output: [UInt8] = []
    private var written = 0
    private var closeAfterWrite = false
    private(set) var deadline: Int64
    /// Responses completed on this connection.
    private(set) var answered = 0
    private var peerClosed = false
    private var failed = false
    private var finished = false
    private var readBuffer = [UInt8](repeating: 0, count: 4096)
    /// The request a 101 (or a streaming response) answered; the connection is handed over once that is written.
    private(set) var upgradeRequest: HTTPRequest?

    init(fd: Int32, peer: PeerAddress?, limits: HTTPServer.Limits, now: Int64) {
        self.fd = fd
        self.peer = peer
        self.limits = limits
        parser = HTTPRequestParser(limits: limits.parser)
        deadline = now + limits.requestTimeout
    }

    var isWriting: Bool { written < output.count }
    /// True once a write failed, a closing response went out, or the peer closed and everything is answered.
    var isDone: Bool { failed || finished || (peerClosed && !isWriting && upgradeRequest == nil) }
    /// A 101 went out whole: the socket now speaks the protocol the request asked for.
    var isUpgraded: Bool { upgradeRequest != nil && !isWriting && !failed }
    var hasPartialRequest: Bool { parser.bufferedByteCount > 0 }

    /// Reads what the socket has, up to `max` bytes. False when nothing new arrived.
    func receive(upTo max: Int, now: Int64) -> Bool {
        var total = 0
        while total < max {
            let n = readBuffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 {
                // A request starts its clock with its first byte on an idle keep-alive connection.
                if !hasPartialRequest && answered > 0 { deadline = now + limits.requestTimeout }
                parser.receive(readBuffer[0..<n])
                total += n
                continue
            }
            if n < 0 && errno == EINTR { continue }
            if n == 0 { peerClosed = true }
            if n < 0 && errno != EAGAIN && errno != EWOULDBLOCK { failed = true }
            break
        }
        return total > 0
    }

    func nextEvent() -> HTTPParserEvent? { failed || finished || upgradeRequest != nil ? nil : parser.nextEvent() }

    /// Bytes the peer sent after the upgrade request, for the new protocol.
    func takeLeftover() -> [UInt8] { parser.takeBufferedBytes() }

    func queue(_ response: HTTPResponse, for request: HTTPRequest, now: Int64) {
        let handOver = response.status == 101 || (response.streaming && request.method != "HEAD")
        let keepAlive = (request.keepAlive && !response.streaming) || response.status == 101
        if handOver { upgradeRequest = request }
        output = response.encode(keepAlive: keepAlive, headOnly: request.method == "HEAD")
        written = 0
        closeAfterWrite = !keepAlive && !handOver
        answered += 1
        deadline = now + limits.requestTimeout
    }

    func queueError(_ e: HTTPParseError) {
        output = HTTPResponse.text(e.status, e.reason(limits: limits.parser) + "\n").encode(keepAlive: false)
        written = 0
        closeAfterWrite = true
    }

    /// A timed-out connection: a request that never completed hears 408 (a quiet keep-alive one hears nothing).
    func timeOut(keepAliveIdle: Bool) {
        guard !isWriting else { return }
        if !keepAliveIdle { output = HTTPResponse.text(408, "request timeout\n").encode(keepAlive: false) }
        written = 0
        closeAfterWrite = true
    }

    /// Writes what the socket takes now.
    func flush(now: Int64) {
        while written < output.count {
            let n = output.withUnsafeBytes { send(fd, $0.baseAddress! + written, $0.count - written, Int32(MSG_NOSIGNAL)) }
            if n > 0 {
                written += n
                continue
            }
            if n < 0 && errno == EINTR { continue }
            if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { return }
            failed = true
            return
        }
        output.removeAll(keepingCapacity: true)
        written = 0
        if closeAfterWrite { finished = true } else if !hasPartialRequest { deadline = now + limits.idleTimeout }
    }
}
