import HTTP
import Platform
import ProducerCore
import WebSocket
import Wire

/// `producer --web`: serves the publish page and takes each page's camera and microphone over a WebSocket,
/// publishing them as a producer id with the stream key the page gave (docs/PUBLISH.md). Runs on a thread of
/// its own with non-blocking sockets, so a page never stalls the other producers of the process or another page.
// Built on the main thread, then used by its own thread alone (like each ProducerRunner).
final class PublishGateway: @unchecked Sendable {
    struct Config {
        var bind: PeerAddress
        var brokers: [PeerAddress]
        var firstBroker: Int?
        var timers = Timers()
        var limits = Wire.Limits()
    }

    /// Bounds (docs/PUBLISH.md).
    struct Limits {
        /// Pages publishing (or waiting for their `start`) at once.
        var maxPublishers = 16
        /// HTTP connections at once (page loads and upgrades in progress).
        var maxConnections = 64
        /// Largest message a page may send: a tag byte and a frame of the protocol's largest size.
        var maxMessageBytes = WireConstants.maxFrameBytes + 1
        /// Bytes read from one page per turn, so one fast page cannot starve the others.
        var readPerTurn = 1 << 20
        /// How long the broker has to accept a page's session before the page is told it cannot, µs.
        var connectTimeout: Int64 = 10_000_000
        /// A page that has sent nothing for this long (a live page sends every frame) is ended, µs.
        var pageSilence: Int64 = 15_000_000
    }

    let config: Config
    let limits: Limits
    let log: Logger
    let server: HTTPServer
    private var sessions: [Int32: PublishSession] = [:]

    init(config: Config, limits: Limits = Limits(), log: Logger) throws(SystemError) {
        var http = HTTPServer.Limits()
        http.maxConnections = limits.maxConnections
        server = try HTTPServer(bind: config.bind, limits: http, purpose: "publish")
        self.config = config
        self.limits = limits
        self.log = log
    }

    /// Why `producer` may not go live from here now, or nil.
    func refusal(for producer: ProducerID) -> String? {
        sessions.values.contains { $0.producer == producer }
            ? "\(producer) is already live from this page's producer; stop the other tab first." : nil
    }

    /// Serves until `stopFD` is readable; pages still publishing say goodbye to their broker.
    func run(stopFD: Int32) {
        var bound = server.address
        bound.port = server.boundPort
        log.info("publish page on http://\(bound)/publish")
        while true {
            var now = Clock.now()
            let fds = [stopFD] + server.readDescriptors + sessions.values.flatMap(\.readDescriptors)
            let writable = server.writeDescriptors + sessions.filter { $0.value.connection.wantsWrite }.map(\.key)
            let wake = min(server.nextDeadline, sessions.values.map(\.nextDeadline).min() ?? .max, now + 1_000_000)
            let ready = Poller.wait(readable: fds, writable: writable, timeoutMicros: max(0, wake - now))
            now = Clock.now()
            if ready.contains(stopFD) {
                for s in sessions.values { s.end(now: now) }
                return
            }
            server.service(ready: ready, now: now) { r, peer in self.respond(r, peer: peer) }
            for u in server.takeUpgraded() { open(u, now: now) }
            for (fd, s) in sessions {
                s.service(ready: ready, now: now, gateway: self)
                if s.connection.isFinished {
                    s.end(now: now)
                    sessions[fd] = nil
                    log.info("page closed: \(s.connection.endReason ?? "done") (\(sessions.count) open)")
                }
            }
        }
    }

    private func open(_ u: HTTPUpgrade, now: Int64) {
        let ws = WebSocketConnection(u, limits: WebSocketLimits(maxMessageBytes: limits.maxMessageBytes, maxFragments: 64))
        sessions[u.fd] = PublishSession(ws, peer: u.peer, now: now)
    }

    private func respond(_ r: HTTPRequest, peer: PeerAddress?) -> HTTPResponse {
        guard r.method == "GET" || r.method == "HEAD" else {
            return HTTPResponse(status: 405, body: Array("only GET and HEAD\n".utf8), headers: [("Allow", "GET, HEAD")])
        }
        switch r.path {
        case "/", "/publish", "/publish.html": return PublishPage.asset("text/html; charset=utf-8", PublishPage.html)
        case "/publish.js": return PublishPage.asset("text/javascript; charset=utf-8", PublishPage.script)
        case "/publish.css": return PublishPage.asset("text/css; charset=utf-8", PublishPage.css)
        case "/favicon.ico": return HTTPResponse(status: 204, contentType: nil)
        case "/publish/ws":
            guard WebSocketHandshake.isUpgrade(r) else { return .text(400, "/publish/ws is a WebSocket\n") }
            guard sessions.count < limits.maxPublishers else { return .text(503, "too many pages publishing (at most \(limits.maxPublishers))\n") }
            // The same origin check as the viewer's: a page from another site cannot publish through this one.
            let response = WebSocketHandshake.respond(to: r)
            if response.status != 101 { log.warning("upgrade refused (\(response.status)): \(String(decoding: response.body, as: UTF8.self))") }
            return response
        default: return .text(404, "not found; the publish page is at /publish\n")
        }
    }
}
