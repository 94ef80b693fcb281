import HTTP
import Wire

#if canImport(Glibc)
    import Glibc
#endif

/// An HTTP/1.1 server that never blocks the event loop it runs in: the listener and every accepted connection
/// are non-blocking, bytes go through the pure `HTTPRequestParser`, and each connection is bounded in time
/// (a request must arrive whole within `requestTimeout`, an idle keep-alive connection is closed after
/// `idleTimeout`), in buffered bytes (the parser's limits, and `maxPendingOutput` per response) and in number
/// (`maxConnections`; one more is answered 503 and closed). The driver polls `readDescriptors` and
/// `writeDescriptors` with its other sockets and calls `service` on every turn. A 101 from `respond` hands the
/// connection over once written (`takeUpgraded`), for a WebSocket.
public final class HTTPServer {
    public struct Limits: Sendable {
        /// Open connections at once.
        public var maxConnections = 64
        /// From a connection's first byte of a request (or its accept) to the request complete, µs. A peer that
        /// trickles a request byte by byte (slowloris) is cut off here.
        public var requestTimeout: Int64 = 5_000_000
        /// A keep-alive connection with nothing in flight is closed after this, µs.
        public var idleTimeout: Int64 = 15_000_000
        /// Bytes read from one connection per service turn, so one fast sender cannot hold the loop.
        public var readPerTurn = 16_384
        /// A response larger than this is refused with 500 (bodies are built in memory).
        public var maxPendingOutput = 8 << 20
        /// Parser limits: request line and headers, header count, body.
        public var parser = HTTPLimits()
        public init() {}
    }

    /// What the server has done, for /metrics.
    public struct Counters: Sendable {
        public var accepted = 0
        public var refusedFull = 0
        public var requests = 0
        public var badRequests = 0
        public var timedOut = 0
        public init() {}
    }

    public let listenFD: Int32
    public let address: PeerAddress
    public let limits: Limits
    public private(set) var counters = Counters()
    private var connections: [Int32: HTTPConnection] = [:]
    /// Connections whose 101 went out, waiting for `takeUpgraded`.
    private var upgraded: [HTTPUpgrade] = []

    /// Listens on `address`; `purpose` names the port in errors ("metrics", "web").
    public init(bind address: PeerAddress, limits: Limits = Limits(), purpose: String = "http") throws(SystemError) {
        listenFD = try Self.listen(on: address, purpose: purpose)
        self.address = address
        self.limits = limits
    }

    deinit {
        for fd in connections.keys { close(fd) }
        close(listenFD)
    }

    public var connectionCount: Int { connections.count }

    /// The port the listener holds (the kernel's choice when `address` asked for port 0).
    public var boundPort: UInt16 {
        var storage = sockaddr_storage()
        var len = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let rc = withUnsafeMutablePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listenFD, $0, &len) } }
        guard rc == 0 else { return address.port }
        // sin_port and sin6_port sit at the same offset, right after the family.
        return withUnsafeBytes(of: &storage) { UInt16($0[2]) << 8 | UInt16($0[3]) }
    }

    /// The listener and every connection still reading a request.
    public var readDescriptors: [Int32] { [listenFD] + connections.values.filter { !$0.isWriting }.map(\.fd) }

    /// Connections with a response the socket did not take whole.
    public var writeDescriptors: [Int32] { connections.values.filter(\.isWriting).map(\.fd) }

    /// When `service` must next run for a timeout, if any connection is open.
    public var nextDeadline: Int64 { connections.values.map(\.deadline).min() ?? .max }

    /// Accepts, reads, answers, writes and times out, without blocking. `respond` builds the response to one
    /// request (it runs on the caller's thread, between media turns, so it must be quick).
    public func service(ready: Set<Int32>, now: Int64, _ respond: (HTTPRequest) -> HTTPResponse) {
        service(ready: ready, now: now) { r, _ in respond(r) }
    }

    /// The same, with the address the request came from (nil if the kernel did not say).
    public func service(ready: Set<Int32>, now: Int64, _ respond: (HTTPRequest, PeerAddress?) -> HTTPResponse) {
        if ready.contains(listenFD) { acceptAll(now: now) }
        for (fd, c) in connections where ready.contains(fd) || c.isWriting {
            drive(c, now: now, respond)
            if c.isDone {
                drop(fd)
            } else if c.isUpgraded, let request = c.upgradeRequest {
                // Handed over open: the server forgets it and the caller owns the descriptor.
                connections[fd] = nil
                upgraded.append(HTTPUpgrade(fd: fd, request: request, leftover: c.takeLeftover(), peer: c.peer))
            }
        }
        for (fd, c) in connections where c.deadline <= now {
            counters.timedOut += 1
            c.timeOut(keepAliveIdle: !c.hasPartialRequest && c.answered > 0)
            c.flush(now: now)
            drop(fd)
        }
    }

    /// Connections switched to another protocol by a 101 from `respond` since the last call; the caller now owns
    /// (and must close) each descriptor.
    public func takeUpgraded() -> [HTTPUpgrade] {
        defer { upgraded = [] }
        return upgraded
    }

    private func acceptAll(now: Int64) {
        while true {
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let fd = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { accept(listenFD, $0, &length) }
            }
            guard fd >= 0 else { return }
            let peer = withUnsafePointer(to: &storage) { PeerAddress(sockaddr: UnsafeRawPointer($0), length: length) }
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            guard connections.count < limits.maxConnections else {
                counters.refusedFull += 1
                let busy = HTTPResponse.text(503, "too many connections; try again\n").encode(keepAlive: false)
                _ = busy.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                close(fd)
                continue
            }
            counters.accepted += 1
            connections[fd] = HTTPConnection(fd: fd, peer: peer, limits: limits, now: now)
        }
    }

    /// Reads what arrived, then answers complete requests one at a time, as far as the socket takes the answers.
    private func drive(_ c: HTTPConnection, now: Int64, _ respond: (HTTPRequest, PeerAddress?) -> HTTPResponse) {
        if !c.isWriting { _ = c.receive(upTo: limits.readPerTurn, now: now) }
        while true {
            if c.isWriting {
                c.flush(now: now)
                if c.isWriting || c.isDone { return }
            }
            guard let event = c.nextEvent() else { return }
            switch event {
            case .request(let r):
                counters.requests += 1
                var response = respond(r, c.peer)
                if response.body.count > limits.maxPendingOutput { response = .text(500, "response too large\n") }
                c.queue(response, for: r, now: now)
            case .error(let e):
                counters.badRequests += 1
                c.queueError(e)
            }
        }
    }

    private func drop(_ fd: Int32) {
        connections[fd] = nil
        close(fd)
    }

    private static func listen(on address: PeerAddress, purpose: String) throws(SystemError) -> Int32 {
        let family = address.isIPv6 ? AF_INET6 : AF_INET
        let s = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard s >= 0 else { throw SystemError("socket") }
        var one: Int32 = 1
        setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var storage = sockaddr_storage()
        let len = address.write(to: &storage)
        let rc = withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(s, $0, len) } }
        guard rc == 0, Glibc.listen(s, 64) == 0 else {
            let e = SystemError("bind/listen \(address) (\(purpose))")
            close(s)
            throw e
        }
        return s
    }
}
