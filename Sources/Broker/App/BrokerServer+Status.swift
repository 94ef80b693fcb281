import BrokerCore
import BrokerStatus
import HTTP
import Platform
import Wire

extension BrokerServer {
    /// Everything on the HTTP port. `/healthz` and `/readyz` are open, `/metrics` too unless `METRICS_TOKEN` is
    /// set; the status page, its API and its actions go through the `StatusGate` (docs/API.md). `/metrics` and the
    /// API are rendered off the loop and answered on a later turn.
    func serveHTTP(_ r: HTTPRequest, from: PeerAddress?, ticket: HTTPTicket) -> HTTPReply {
        let now = Clock.now()
        let source = Self.sourceKey(from)
        switch (r.method, r.path) {
        case (_, "/metrics"):
            return metricsScrape(r, source: source, now: now, ticket: ticket)
        case ("GET", let p), ("HEAD", let p):
            guard p.hasPrefix("/api/") else { return .now(page(r, source: source, now: now)) }
            return api(r, source: source, now: now, ticket: ticket)
        default:
            return .now(page(r, source: source, now: now))
        }
    }

    /// The small answers, given on the loop: health, the page, login and logout, and the actions.
    private func page(_ r: HTTPRequest, source: String, now: Int64) -> HTTPResponse {
        switch (r.method, r.path) {
        case (_, "/healthz"), (_, "/readyz"):
            return health(r)
        case ("GET", "/"), ("HEAD", "/"):
            return HTTPResponse(status: 303, body: Array("see /status\n".utf8), headers: [("Location", "/status")])
        case ("GET", "/status"), ("HEAD", "/status"):
            guard gate.password != nil else { return Self.html(200, StatusPageHTML.noPassword) }
            switch gate.check(r, source: source, now: now, action: false, page: true) {
            case .allowed: return Self.html(200, StatusPageHTML.page)
            case .refused(let response): return Self.withPageHeaders(response)
            }
        case ("GET", "/login"), ("HEAD", "/login"):
            return Self.html(200, gate.password == nil ? StatusPageHTML.noPassword : StatusPageHTML.login(error: nil))
        case ("POST", "/login"):
            return Self.withPageHeaders(gate.login(r, source: source, now: now, random: Clock.randomSeed))
        case ("POST", "/logout"):
            return gate.logout(r, now: now)
        case ("GET", _), ("HEAD", _):
            return .text(404, "try /status, /api/streams, /metrics, /healthz or /readyz\n")
        case ("POST", let p) where p.hasPrefix("/api/"):
            return action(r, source: source, now: now)
        default:
            return HTTPResponse(status: 405, body: Array("not here: \(r.method) \(r.path)\n".utf8), headers: [("Allow", "GET, HEAD, POST")])
        }
    }

    /// The read-only JSON API, rate-limited per source before the password is looked at.
    private func api(_ r: HTTPRequest, source: String, now: Int64, ticket: HTTPTicket) -> HTTPReply {
        let views = ["/api/status", "/api/streams", "/api/subscribers", "/api/cluster", "/api/history"]
        guard views.contains(r.path) else {
            return .now(.text(404, "no such API: try /api/status, /api/streams, /api/subscribers, /api/cluster, /api/history\n"))
        }
        if let refusal = admitScrape(source: source, now: now) { return .now(refusal) }
        switch gate.check(r, source: source, now: now, action: false, page: false) {
        case .allowed(let csrf): return render(r.path, csrf: csrf, contentType: "application/json", ticket: ticket, now: now)
        case .refused(let response): return .now(response)
        }
    }

    /// The operator's actions: POST with a form field (body `application/x-www-form-urlencoded`, or the query).
    private func action(_ r: HTTPRequest, source: String, now: Int64) -> HTTPResponse {
        if case .refused(let response) = gate.check(r, source: source, now: now, action: true, page: false) { return response }
        let result: BrokerCore.OperatorResult
        switch r.path {
        case "/api/subscribers/disconnect":
            guard let text = Self.field("address", r), let a = core.sessions.keys.first(where: { $0.description == text }) else {
                return Self.json(404, #"{"result":"not found","detail":"no client session at that address (see /api/subscribers)"}"#)
            }
            result = core.disconnectClient(a, now: now)
        case "/api/producers/block", "/api/producers/unblock":
            guard let text = Self.field("id", r), let id = ProducerID(hex: text) else {
                return Self.json(400, #"{"result":"bad request","detail":"id must be a producer id: 6 hex digits"}"#)
            }
            result = r.path.hasSuffix("/block") ? core.blockProducer(id, now: now) : core.unblockProducer(id, now: now)
        default:
            return .text(404, "no such action: try /api/subscribers/disconnect, /api/producers/block, /api/producers/unblock\n")
        }
        // The core queued BYE, ERROR and STREAM_STATUS datagrams: send them now, not on the next media turn.
        dispatchTransmitsNow()
        switch result {
        case .done: return Self.json(200, #"{"result":"done"}"#)
        case .notFound: return Self.json(404, #"{"result":"not found"}"#)
        case .limitReached: return Self.json(409, #"{"result":"limit reached","detail":"the block list is full (maxBlockedProducers)"}"#)
        }
    }

    /// The throttle's key: the client's address without its port (a guesser opens new connections at will).
    static func sourceKey(_ from: PeerAddress?) -> String {
        guard var a = from else { return "unknown" }
        a.port = 0
        return a.description
    }

    /// A form field from the body, or else from the query.
    static func field(_ name: String, _ r: HTTPRequest) -> String? {
        let form = HTTPRequest(method: "GET", target: "/?" + String(decoding: r.body.prefix(4096), as: UTF8.self))
        return form.queryItem(name) ?? r.queryItem(name)
    }

    static func html(_ status: Int, _ text: String) -> HTTPResponse {
        HTTPResponse(status: status, contentType: "text/html; charset=utf-8", body: Array(text.utf8), headers: StatusPageHTML.headers)
    }

    static func json(_ status: Int, _ text: String) -> HTTPResponse {
        HTTPResponse(status: status, contentType: "application/json", body: Array(text.utf8), headers: [("Cache-Control", "no-store")])
    }

    static func withPageHeaders(_ response: HTTPResponse) -> HTTPResponse {
        var r = response
        for (k, v) in StatusPageHTML.headers where !r.headers.contains(k) { r.headers.add(k, v) }
        return r
    }
}
