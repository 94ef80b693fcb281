import ClientCore
import HTTP
import Platform
import WebSocket
import Wire

/// `client --web`: serves the viewer page and one WebSocket per browser tab, in the client's own event loop.
/// Every tab gets every complete frame of the client's subscriptions (video only while visible, within its
/// window); what a tab types goes to the same command path as the prompt.
final class WebViewer {
    /// Bounds (docs/VIEWER.md).
    struct Limits {
        /// Open tabs (WebSockets) at once; one more is answered 503.
        var maxTabs = 16
        /// Largest message a page may send (the page sends short commands).
        var maxMessageBytes = 4096
        /// Bytes queued for a tab above which its video frames are dropped whole.
        var dropAbove = 1 << 20
        /// Bytes queued for a tab above which it is closed as too slow.
        var maxQueuedBytes = 8 << 20
        /// HTTP connections at once (page loads and upgrades in progress).
        var maxConnections = 32
    }

    let server: HTTPServer
    let limits: Limits
    let log: Logger
    private(set) var tabs: [Int32: ViewerTab] = [:]
    private(set) var refusedTabs = 0

    init(bind: PeerAddress, limits: Limits = Limits(), log: Logger) throws(SystemError) {
        var http = HTTPServer.Limits()
        http.maxConnections = limits.maxConnections
        server = try HTTPServer(bind: bind, limits: http, purpose: "web")
        self.limits = limits
        self.log = log
    }

    var readDescriptors: [Int32] { server.readDescriptors + tabs.keys }
    var writeDescriptors: [Int32] { server.writeDescriptors + tabs.filter { $0.value.connection.wantsWrite }.map(\.key) }
    var nextDeadline: Int64 { server.nextDeadline }

    /// Serves HTTP, takes new tabs, reads what tabs sent. Returns the tabs opened and the command lines typed.
    func service(ready: Set<Int32>, now: Int64) -> (opened: [ViewerTab], commands: [String]) {
        server.service(ready: ready, now: now, respond)
        var opened: [ViewerTab] = []
        for u in server.takeUpgraded() {
            let ws = WebSocketConnection(
                u, limits: WebSocketLimits(maxMessageBytes: limits.maxMessageBytes, maxFragments: 16),
                outbox: WebSocketOutbox(dropAbove: limits.dropAbove, maxBytes: limits.maxQueuedBytes))
            let tab = ViewerTab(ws, now: now)
            tabs[u.fd] = tab
            opened.append(tab)
            log.info("web: tab opened (\(tabs.count) open)")
        }
        var commands: [String] = []
        for (fd, tab) in tabs {
            if ready.contains(fd) {
                for m in tab.connection.receive(upTo: 65_536, now: now) {
                    guard case .text(let line) = m else { continue }
                    if let c = handle(line, tab) { commands.append(c) }
                }
            }
            if tab.connection.wantsWrite { tab.connection.flush() }
            tab.connection.expire(now: now)
            if tab.connection.isFinished {
                tabs[fd] = nil
                log.info("web: tab closed: \(tab.connection.endReason ?? "done") (\(tabs.count) open)")
            }
        }
        return (opened, commands)
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

    /// A frame or chunk to every tab.
    func deliver(_ f: CompleteFrame) {
        guard !tabs.isEmpty else { return }
        let message = WebSocketFrame.encode(.binary, ViewerMessage.media(f))
        for tab in tabs.values { tab.send(message, stream: f.stream) }
    }

    /// A JSON text to every tab (or one).
    func broadcast(_ json: String, to only: ViewerTab? = nil) {
        let frame = WebSocketFrame.text(json)
        for tab in only.map({ [$0] }) ?? Array(tabs.values) { tab.connection.send(frame, droppable: false) }
    }

    /// The client's figures to every tab, each with the frames dropped for that tab alone.
    func sendFigures(_ stats: [(StreamID, ReceiveStats)]) {
        for tab in tabs.values {
            let rows = stats.map { ($0.0, $0.1, tabDropped: tab.dropped[$0.0, default: 0]) }
            tab.connection.send(WebSocketFrame.text(ViewerMessage.figures(rows)), droppable: false)
        }
    }

    /// Closes every tab (the client is leaving).
    func closeAll(now: Int64) {
        for t in tabs.values { t.connection.startClose(code: 1001, reason: "client leaving", now: now) }
    }

    private func respond(_ r: HTTPRequest) -> HTTPResponse {
        guard r.method == "GET" || r.method == "HEAD" else {
            return HTTPResponse(status: 405, body: Array("only GET and HEAD\n".utf8), headers: [("Allow", "GET, HEAD")])
        }
        switch r.path {
        case "/", "/index.html": return asset("text/html; charset=utf-8", ViewerPage.html)
        case "/viewer.css": return asset("text/css; charset=utf-8", ViewerPage.css)
        case "/viewer.js": return asset("text/javascript; charset=utf-8", ViewerPage.script)
        case "/favicon.ico": return HTTPResponse(status: 204, contentType: nil)
        case "/ws":
            guard WebSocketHandshake.isUpgrade(r) else { return .text(400, "/ws is a WebSocket\n") }
            guard tabs.count < limits.maxTabs else {
                refusedTabs += 1
                return .text(503, "too many tabs open (at most \(limits.maxTabs))\n")
            }
            let response = WebSocketHandshake.respond(to: r)
            if response.status != 101 { log.warning("web: upgrade refused (\(response.status)): \(String(decoding: response.body, as: UTF8.self))") }
            return response
        default: return .text(404, "not found; the viewer is at /\n")
        }
    }

    private func asset(_ type: String, _ text: String) -> HTTPResponse {
        HTTPResponse(
            status: 200, contentType: type, body: Array(text.utf8),
            headers: [
                ("Cache-Control", "no-cache"), ("X-Content-Type-Options", "nosniff"),
                (
                    "Content-Security-Policy",
                    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; frame-ancestors 'none'"
                ),
            ])
    }
}
