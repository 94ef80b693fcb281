import ClientCore
import HTTP
import Platform
import StreamHTTP
import WebSocket
import Wire

/// `client --web`: serves the viewer page and one WebSocket per browser tab, in the client's own event loop.
/// Every tab gets every complete frame of the client's subscriptions (video only while visible, within its
/// window); what a tab types goes to the same command path as the prompt.
public final class WebViewer {
    /// Bounds (docs/VIEWER.md).
    public struct Limits {
        /// Open tabs (WebSockets) at once; one more takes the place of a tab silent for `staleTab`, or is answered 503.
        public var maxTabs = 16
        /// Open tabs from one address at once.
        public var maxTabsPerAddress = 12
        /// A tab that has sent nothing, not even the pong to the page's ping, for this long may give its place up, µs.
        public var staleTab: Int64 = 15_000_000
        /// Tabs are pinged this often (a browser answers by itself; a tab that never reads does not), µs.
        public var pingInterval: Int64 = 5_000_000
        /// Largest message a page may send (the page sends short commands).
        public var maxMessageBytes = 4096
        /// Bytes queued for a tab above which its video frames are dropped whole.
        public var dropAbove = 1 << 20
        /// Bytes queued for a tab above which it is closed as too slow.
        public var maxQueuedBytes = 8 << 20
        /// HTTP connections at once (page loads and upgrades in progress).
        public var maxConnections = 256
        public init() {}
    }

    public let server: HTTPServer
    public let limits: Limits
    public let log: Logger
    public private(set) var tabs: [Int32: ViewerTab] = [:]
    public private(set) var refusedTabs = 0
    /// Tabs closed to make room for a new one (they had been silent for `staleTab`).
    public private(set) var evictedTabs = 0
    /// The players reading `/streams/…`.
    public let readers: StreamReaders
    private var nextSerial = 0
    /// Tabs closed to make room, to report with the next turn.
    private var evicted: [Int] = []

    public init(bind: PeerAddress, limits: Limits = Limits(), log: Logger) throws(SystemError) {
        var http = HTTPServer.Limits()
        http.maxConnections = limits.maxConnections
        server = try HTTPServer(bind: bind, limits: http, purpose: "web")
        self.limits = limits
        self.log = log
        readers = StreamReaders(log: log)
    }

    public var readDescriptors: [Int32] { server.readDescriptors + tabs.keys + readers.readDescriptors }
    public var writeDescriptors: [Int32] {
        server.writeDescriptors + tabs.filter { $0.value.connection.wantsWrite }.map(\.key) + readers.writeDescriptors
    }
    public var nextDeadline: Int64 { min(server.nextDeadline, readers.nextDeadline) }

    /// What one turn of the page's server did, for the client to act on.
    public struct Turn {
        public var opened: [ViewerTab] = []
        /// Command lines typed in a tab, with the tab's serial (its claims on subscriptions are its own).
        public var commands: [(tab: Int, line: String)] = []
        public var closedTabs: [Int] = []
        /// Readers of `/streams/…` that started (and the stream each needs) or ended, by serial.
        public var readersOpened: [(serial: Int, stream: StreamID)] = []
        public var readersEnded: [Int] = []
    }

    /// Serves HTTP, takes new tabs and readers, reads what tabs sent, feeds readers.
    public func service(ready: Set<Int32>, now: Int64) -> Turn {
        var turn = Turn()
        turn.closedTabs = evicted
        evicted = []
        server.service(ready: ready, now: now) { r, peer in self.respond(r, peer: peer, now: now) }
        for u in server.takeUpgraded() {
            if u.request.path == "/ws" {
                turn.opened.append(openTab(u, now: now))
            } else if let (serial, stream) = readers.adopt(u, now: now) {
                turn.readersOpened.append((serial, stream))
            }
        }
        for (fd, tab) in tabs {
            if ready.contains(fd) {
                for m in tab.connection.receive(upTo: 65_536, now: now) {
                    guard case .text(let line) = m else { continue }
                    if let c = handle(line, tab) { turn.commands.append((tab.serial, c)) }
                }
            }
            tab.ping(now: now, every: limits.pingInterval)
            if tab.connection.wantsWrite { tab.connection.flush() }
            tab.connection.expire(now: now)
            if tab.connection.isFinished {
                tabs[fd] = nil
                turn.closedTabs.append(tab.serial)
                log.info("web: tab closed: \(tab.connection.endReason ?? "done") (\(tabs.count) open)")
            }
        }
        turn.readersEnded = readers.service(ready: ready, now: now)
        return turn
    }

    private func openTab(_ u: HTTPUpgrade, now: Int64) -> ViewerTab {
        let ws = WebSocketConnection(
            u, limits: WebSocketLimits(maxMessageBytes: limits.maxMessageBytes, maxFragments: 16),
            outbox: WebSocketOutbox(dropAbove: limits.dropAbove, maxBytes: limits.maxQueuedBytes))
        nextSerial += 1
        let tab = ViewerTab(ws, serial: nextSerial, peer: u.peer, now: now)
        tabs[u.fd] = tab
        log.info("web: tab opened (\(tabs.count) open)")
        return tab
    }

    /// Handles the page's own messages; returns a prompt command to run.
    private func handle(_ line: String, _ tab: ViewerTab) -> String? {
        let words = line.split(separator: " ")
        switch words.first {
        case "ack":
            if words.count == 2, let s = StreamID(selector: words[1]) { tab.acknowledge(s) }
            return nil
        case "view":
            tab.setHidden(words.count == 2 && words[1] == "hidden")
            return nil
        case "subscribe", "unsubscribe", "list":
            return line
        default:
            tab.connection.send(WebSocketFrame.text(ViewerMessage.say("the page may send subscribe, unsubscribe or list")), droppable: false)
            return nil
        }
    }

    /// A frame or chunk to every tab and every reader of its stream.
    public func deliver(_ f: CompleteFrame, now: Int64) {
        readers.deliver(f, now: now)
        guard !tabs.isEmpty else { return }
        let message = WebSocketFrame.encode(.binary, ViewerMessage.media(f))
        for tab in tabs.values { tab.send(message, stream: f.stream) }
    }

    /// A JSON text to every tab (or one).
    public func broadcast(_ json: String, to only: ViewerTab? = nil) {
        let frame = WebSocketFrame.text(json)
        for tab in only.map({ [$0] }) ?? Array(tabs.values) { tab.connection.send(frame, droppable: false) }
    }

    /// The client's figures to every tab, each with the frames dropped for that tab alone.
    public func sendFigures(_ stats: [(StreamID, ReceiveStats)]) {
        for tab in tabs.values {
            let rows = stats.map { ($0.0, $0.1, tabDropped: tab.dropped[$0.0, default: 0]) }
            tab.connection.send(WebSocketFrame.text(ViewerMessage.figures(rows)), droppable: false)
        }
        broadcast(readers.json(type: "readers"))
    }

    /// Closes every tab (the client is leaving).
    public func closeAll(now: Int64) {
        for t in tabs.values { t.connection.startClose(code: 1001, reason: "client leaving", now: now) }
        readers.closeAll()
    }

    private func respond(_ r: HTTPRequest, peer: PeerAddress?, now: Int64) -> HTTPResponse {
        guard r.method == "GET" || r.method == "HEAD" else {
            return HTTPResponse(status: 405, body: Array("only GET and HEAD\n".utf8), headers: [("Allow", "GET, HEAD")])
        }
        if let route = StreamRoute(path: r.path) {
            return readers.respond(route, r, peer: peer, base: "http://" + (r.headers["Host"].flatMap(Self.safeHost) ?? "\(server.address)"))
        }
        if StreamRoute.isStreamPath(r.path) {
            return .text(404, "streams are at /streams/<ID>.mjpg, /streams/<ID>.jpg and /streams/<ID>.mp3 (ID: 6 hex digits)\n")
        }
        switch r.path {
        case "/", "/index.html": return asset("text/html; charset=utf-8", ViewerPage.html)
        case "/viewer.css": return asset("text/css; charset=utf-8", ViewerPage.css)
        case "/viewer.js": return asset("text/javascript; charset=utf-8", ViewerPage.script)
        case "/favicon.ico": return HTTPResponse(status: 204, contentType: nil)
        case "/ws":
            guard WebSocketHandshake.isUpgrade(r) else { return .text(400, "/ws is a WebSocket\n") }
            if let refusal = tabRefusal(peer: peer, now: now) { return refusal }
            let response = WebSocketHandshake.respond(to: r)
            if response.status != 101 { log.warning("web: upgrade refused (\(response.status)): \(String(decoding: response.body, as: UTF8.self))") }
            return response
        default: return .text(404, "not found; the viewer is at /\n")
        }
    }

    /// Room for one more tab: within the per-address cap, and a free place or a stale tab's.
    private func tabRefusal(peer: PeerAddress?, now: Int64) -> HTTPResponse? {
        if let peer, tabs.values.filter({ $0.peer.map { StreamReaders.sameHost($0, peer) } == true }).count >= limits.maxTabsPerAddress {
            refusedTabs += 1
            return .text(503, "too many tabs open from one address (at most \(limits.maxTabsPerAddress))\n")
        }
        guard tabs.count >= limits.maxTabs else { return nil }
        if let (fd, stalest) = tabs.min(by: { $0.value.lastHeard < $1.value.lastHeard }), now - stalest.lastHeard >= limits.staleTab {
            stalest.connection.startClose(code: 1008, reason: "silent tab replaced by a new one", now: now)
            stalest.connection.abandon()
            tabs[fd] = nil
            evicted.append(stalest.serial)
            evictedTabs += 1
            log.warning("web: tab silent for \((now - stalest.lastHeard) / 1_000_000) s closed to make room")
            return nil
        }
        refusedTabs += 1
        return .text(503, "too many tabs open (at most \(limits.maxTabs))\n")
    }

    /// A Host field fit to build URLs from (a name or address and a port); nil for anything else.
    static func safeHost(_ h: String) -> String? {
        let ok = !h.isEmpty && h.count <= 255 && h.utf8.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2E || b == 0x2D || b == 0x3A || b == 0x5B || b == 0x5D
        }
        return ok ? h : nil
    }

    private func asset(_ type: String, _ bytes: [UInt8]) -> HTTPResponse {
        HTTPResponse(
            status: 200, contentType: type, body: bytes,
            headers: [
                ("Cache-Control", "no-cache"), ("X-Content-Type-Options", "nosniff"),
                (
                    "Content-Security-Policy",
                    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; frame-ancestors 'none'"
                ),
            ])
    }
}
