import BrokerCore
import BrokerStatus
import Platform
import Wire

/// Everything `/metrics` and the status API show, copied on the event loop in a few microseconds: the core is a
/// value whose tables are copy-on-write, so taking it copies no session; the driver's own figures are a few
/// numbers and one array per subscriber slot. The text and JSON, which cost tens of milliseconds for thousands of
/// sessions, are rendered from it on the `OffLoopWorker`, while the loop goes on forwarding.
struct ScrapeSnapshot: Sendable {
    var core: BrokerCore
    var senderStats: BatchSender.Stats
    var droppedDatagrams: Int
    /// Per subscriber queue slot: datagrams waiting and frames dropped for being slow.
    var backlog: [Int]
    var droppedFrames: [Int]
    var controlDropped: Int
    var forwardDelay: DelayHistogram
    var timerTurns: DelayHistogram
    var http: HTTPFigures
    var passwordChecks: LoginThrottle<String>.Counters
    var groEnabled: Bool
    var gsoEnabled: Bool
    /// For the status API: addresses and clocks (`StatusContext`).
    var brokerAddress: String
    var httpAddress: String?
    var now: Int64
    var started: Int64
    var wallMicros: UInt64

    func backlog(slot: Int) -> Int { slot < backlog.count ? backlog[slot] : 0 }
    func droppedFrames(slot: Int) -> Int { slot < droppedFrames.count ? droppedFrames[slot] : 0 }

    var statusContext: StatusContext {
        StatusContext(
            brokerAddress: brokerAddress, httpAddress: httpAddress, now: now, started: started, wallMicros: wallMicros,
            queue: { (backlog(slot: $0), droppedFrames(slot: $0)) })
    }

    /// The body of `path` (`/metrics` or an `/api/...` view): Prometheus text or JSON.
    func render(_ path: String, csrf: String?) -> String {
        let ctx = statusContext
        switch path {
        case "/metrics": return prometheusText()
        case "/api/status": return StatusReport.all(core, ctx, csrf: csrf)
        case "/api/streams": return StatusReport.streams(core, ctx)
        case "/api/subscribers": return StatusReport.subscribers(core, ctx)
        case "/api/cluster": return StatusReport.cluster(core, ctx)
        default: return StatusReport.history(core, ctx)
        }
    }
}

/// The HTTP port's own figures, for /metrics.
struct HTTPFigures: Sendable {
    var counters = HTTPServer.Counters()
    var connections = 0
    /// How long each turn's HTTP work held the event loop (`broker_http_turn_seconds`), and the longest.
    var turns = DelayHistogram()
    var longestTurnNanos: Int64 = 0
    /// The same turns in the loop thread's CPU time (a busy host that preempts the loop does not inflate it).
    var longestTurnCPUNanos: Int64 = 0
    /// Scrapes rendered off the loop, how long the longest took there, and those refused (rate, busy, token).
    var rendered = 0
    var longestRenderNanos: Int64 = 0
    var longestRenderCPUNanos: Int64 = 0
    var refusedRate = 0
    var refusedBusy = 0
    var refusedToken = 0
}
