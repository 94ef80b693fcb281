import BrokerCore
import BrokerStatus
import Config
import HTTP
import Platform
import Wire

/// A body rendered off the loop, for the request that waits for it.
struct RenderedScrape: Sendable {
    let ticket: HTTPTicket
    let response: HTTPResponse
    let nanos: Int64
    let cpuNanos: Int64
}

extension BrokerServer {
    /// /healthz (alive) and /readyz (ready to serve) as one-line statuses: a few bytes, answered on the loop.
    func health(_ r: HTTPRequest) -> HTTPResponse {
        guard r.method == "GET" || r.method == "HEAD" else {
            return HTTPResponse(status: 405, body: Array("only GET and HEAD\n".utf8), headers: [("Allow", "GET, HEAD")])
        }
        if r.path == "/healthz" {
            return .text(200, "ok epoch=\(String(core.epoch, radix: 16)) uptime_s=\((Clock.now() - started) / 1_000_000)\n")
        }
        // Ready: the UDP socket is bound (the broker would not run otherwise) and, in a cluster, BROKER_PEERS
        // (or an edge's BROKER_UPSTREAM) resolved to at least one address (links need not be up: a first broker has
        // nobody to link to).
        let links = core.peerLinks.values.filter { !$0.isSelf }
        let up = links.filter(\.up).count
        if let (setting, entries, _) = resolving, core.peerLinks.isEmpty {
            let why = resolveFailures.isEmpty ? "not resolved yet" : resolveFailures.map { "\($0.key): \($0.value)" }.sorted().joined(separator: "; ")
            return .text(503, "not ready: \(setting) \(entries.joined(separator: ",")) \(why)\n")
        }
        return .text(200, "ready address=\(boundAddress) peers=\(links.count) up=\(up)\n")
    }

    /// /metrics: behind `METRICS_TOKEN` when one is set, rate-limited per source, rendered off the loop.
    func metricsScrape(_ r: HTTPRequest, source: String, now: Int64, ticket: HTTPTicket) -> HTTPReply {
        guard r.method == "GET" || r.method == "HEAD" else {
            return .now(HTTPResponse(status: 405, body: Array("only GET and HEAD\n".utf8), headers: [("Allow", "GET, HEAD")]))
        }
        if let refusal = admitScrape(source: source, now: now) { return .now(refusal) }
        if let token = config.metricsToken, !Self.bearerMatches(r.headers["Authorization"], token) {
            httpFigures.refusedToken += 1
            return .now(
                HTTPResponse(
                    status: 401, body: Array("/metrics needs Authorization: Bearer <METRICS_TOKEN>\n".utf8), headers: [("WWW-Authenticate", "Bearer")]
                ))
        }
        return render("/metrics", csrf: nil, contentType: "text/plain; version=0.0.4", ticket: ticket, now: now)
    }

    /// A 429 when `source` scrapes faster than `ScrapeLimiter` allows, else nil.
    func admitScrape(source: String, now: Int64) -> HTTPResponse? {
        guard let until = scrapeLimiter.admit(source, now: now) else { return nil }
        httpFigures.refusedRate += 1
        let seconds = max(1, (until - now + 999_999) / 1_000_000)
        return HTTPResponse(
            status: 429, body: Array("too many requests; try again in \(seconds) s\n".utf8), headers: [("Retry-After", String(seconds))])
    }

    /// Takes a snapshot (microseconds) and hands the rendering of `path` to the worker: the answer comes on a
    /// later turn. A 503 when the worker has `maxQueued` renders waiting already.
    func render(_ path: String, csrf: String?, contentType: String, ticket: HTTPTicket, now: Int64) -> HTTPReply {
        guard let worker = renderer else { return .now(.text(503, "no renderer\n")) }
        let snapshot = takeSnapshot(now: now)
        let accepted = worker.submit {
            let start = Clock.now()
            let cpu = Clock.threadCPUNanos()
            let body = Array(snapshot.render(path, csrf: csrf).utf8)
            let response = HTTPResponse(status: 200, contentType: contentType, body: body, headers: [("Cache-Control", "no-store")])
            return RenderedScrape(ticket: ticket, response: response, nanos: (Clock.now() - start) * 1000, cpuNanos: Clock.threadCPUNanos() - cpu)
        }
        guard accepted else {
            httpFigures.refusedBusy += 1
            return .now(HTTPResponse(status: 503, body: Array("busy rendering; try again\n".utf8), headers: [("Retry-After", "1")]))
        }
        return .later
    }

    /// Gives the finished renders to the requests waiting for them.
    /// Only when the worker's pipe woke the loop: taking (reading the pipe) at every turn would cost a system call
    /// per turn of the media loop.
    func answerRendered(ready: Set<Int32>, now: Int64) -> Bool {
        guard let worker = renderer, let m = metrics, ready.contains(worker.wakeFD) else { return false }
        let done = worker.takeFinished()
        for d in done {
            httpFigures.rendered += 1
            httpFigures.longestRenderNanos = max(httpFigures.longestRenderNanos, d.nanos)
            httpFigures.longestRenderCPUNanos = max(httpFigures.longestRenderCPUNanos, d.cpuNanos)
            m.answer(d.ticket, with: d.response, now: now)
        }
        return !done.isEmpty
    }

    func takeSnapshot(now: Int64) -> ScrapeSnapshot {
        let (backlog, dropped) = forwarder.queueFigures()
        httpFigures.counters = metrics?.counters ?? HTTPServer.Counters()
        httpFigures.connections = metrics?.connectionCount ?? 0
        return ScrapeSnapshot(
            core: core, senderStats: sender.stats, droppedDatagrams: forwarder.droppedDatagrams, backlog: backlog, droppedFrames: dropped,
            controlDropped: controlDropped, forwardDelay: forwardDelay, timerTurns: timerTurns, http: httpFigures,
            passwordChecks: gate.throttle.counters, groEnabled: socket.groEnabled, gsoEnabled: sender.gsoEnabled,
            brokerAddress: boundAddress.description, httpAddress: metrics?.address.description, now: now, started: started,
            wallMicros: Clock.wallMicros())
    }

    /// `Authorization: Bearer <token>`, the token compared in constant time.
    static func bearerMatches(_ header: String?, _ token: String) -> Bool {
        guard let header, header.utf8.count <= 1024 else { return false }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return false }
        return ConstantTime.equal(String(parts[1]), token)
    }
}
