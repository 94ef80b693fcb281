import BrokerCore
import BrokerStatus
import Config
import Platform
import Wire

struct BrokerConfig {
    var address: PeerAddress
    /// The cluster's publish secret (PUBLISH_SECRET): stream keys derive from it.
    var publishSecret: [UInt8]
    var timers = Timers()
    var limits = Limits()
    var metricsAddress: PeerAddress?
    /// BROKER_PEERS entries (host:port or a name with several addresses) and the cluster settings.
    var peers: [String] = []
    /// BROKER_UPSTREAM entries: set, the broker is an edge (docs/CLUSTER.md).
    var upstream: [String] = []
    var cluster: ClusterConfig?
    /// The status page's password (STATUS_PASSWORD); nil: the page is off and says how to turn it on.
    var statusPassword: String?
    /// METRICS_TOKEN: when set, /metrics needs `Authorization: Bearer <token>`.
    var metricsToken: String?
    /// SCRAPE_RATE: /metrics and /api/... requests served per second per source address (`ScrapeLimiter`).
    var scrapeRate = 5
    /// Renders of /metrics and /api/... waiting or running at once; one more is answered 503.
    static let maxQueuedRenders = 4
    /// `--capture FILE.pcap`: the broker's own traffic, rotated to FILE.pcap.1 past `captureMaxBytes`.
    var capturePath: String?
    var captureMaxBytes = 100 << 20
    /// STATE_DIR: the block list is kept in `blocks` there and read back at start; nil: nothing is kept.
    var stateDir: String?
    /// SIGTERM drain (DRAIN_MS): after telling its peers it leaves, the broker goes on forwarding at most this long,
    /// until nothing has come in for `drainQuiet`, so peers that fail over move without a gap; 0 exits at once.
    var drainMicros: Int64 = 1_000_000
    static let drainQuiet: Int64 = 150_000
}

extension BrokerServer {
    /// What the resolver looks up: BROKER_PEERS (a mesh member) or BROKER_UPSTREAM (an edge); a broker has one or
    /// neither (the settings refuse both).
    var resolving: (setting: String, entries: [String], what: String)? {
        if !config.peers.isEmpty { return ("BROKER_PEERS", config.peers, "cluster: peer") }
        if !config.upstream.isEmpty { return ("BROKER_UPSTREAM", config.upstream, "edge: upstream") }
        return nil
    }

    /// Starts resolving BROKER_PEERS or BROKER_UPSTREAM every 5 s (a broker that starts later, or returns on a new
    /// address, is found; a name with several addresses, such as a headless Service, gives them all).
    func startResolver() {
        guard let (_, entries, what) = resolving else { return }
        let r = PeerResolver(entries: entries, intervalMicros: 5_000_000)
        resolver = r
        log.info("\(what)s \(entries.joined(separator: ", ")), resolved every 5 s")
        r.start()
    }

    /// Hands the resolver's newest answer to the core, and says once which entries do not resolve (yet).
    func takeResolved(now: Int64) {
        guard let r = resolver, let (_, _, what) = resolving else { return }
        let (addresses, generation, failures) = r.latest()
        if failures != resolveFailures {
            for (entry, why) in failures.sorted(by: { $0.key < $1.key }) where resolveFailures[entry] != why {
                log.warning("\(what) entry \(entry) does not resolve (yet): \(why)")
            }
            resolveFailures = failures
        }
        guard generation != resolvedGeneration else { return }
        resolvedGeneration = generation
        if config.upstream.isEmpty { core.setPeers(addresses, now: now) } else { core.setUpstreams(addresses, now: now) }
        log.info("\(what) addresses now \(addresses.map(\.description).joined(separator: ", "))")
    }
}

/// The broker's driver: the only code that reads the clock and touches sockets for the broker role.
/// One event loop: receive a batch, feed the core, carry out its outputs, run its timers.
final class BrokerServer {
    let config: BrokerConfig
    let log: Logger
    let socket: UDPSocket
    var core: BrokerCore
    let sender: BatchSender
    let forwarder: FanoutPlanner
    /// Control datagrams the socket refused (they are never queued).
    private(set) var controlDropped = 0
    /// Bounds the log: a peer that floods HELLOs must not choose how much the broker writes.
    private var logLimiter = LogLimiter()
    /// Resolves BROKER_PEERS on a thread of its own; the loop hands new answers to the core.
    var resolver: PeerResolver?
    var resolvedGeneration = -1
    /// Resolves BROKER_UPSTREAM the same way, for an edge.
    var resolveFailures: [String: String] = [:]
    let signals: SignalWatcher
    var metrics: HTTPServer?
    let started = Clock.now()
    /// Who may use the status page and its actions (BrokerServer+Status.swift).
    var gate: StatusGate
    /// /metrics and /api/... bodies are rendered here, from a snapshot, while the loop forwards
    /// (BrokerServer+Metrics.swift).
    var renderer: OffLoopWorker<RenderedScrape>?
    var scrapeLimiter: ScrapeLimiter<String>
    var httpFigures = HTTPFigures()
    /// The broker's own traffic as a pcap file, when `--capture` is given (BrokerServer+Capture.swift).
    var capture: PcapFile?
    var captureFlushedAt: Int64 = 0
    /// The UDP address as bound (the port the kernel chose for port 0), for captures and the status page.
    let boundAddress: PeerAddress
    /// Added latency of DATA datagrams through the broker (the `broker_forward_delay_seconds` histogram): from
    /// the kernel queueing one on the broker's socket to its copies leaving in the sendmmsg call(s) that carried
    /// them. The copies of one call leave one after the other at about the same cost each, so each datagram is
    /// recorded as `forwardDelaySamples` copies spread evenly over the send (the first subscriber's copy leaves
    /// near its start, the last one's at its end).
    var forwardDelay = DelayHistogram()
    static let forwardDelaySamples = 4
    /// How long each run of the core's timers held the event loop (`broker_timer_turn_seconds`): NACKs towards
    /// producers, lease expiry (at most `maxLeaseChecksPerTurn` per run), rate measurement, and sending what
    /// they queued. Media waits while it runs, so its largest bucket bounds what timers add to a frame's delay.
    var timerTurns = DelayHistogram()
    /// Arrival stamps of DATA datagrams whose forwarding is not finished (the forwarder still has a backlog).
    private var pendingArrivals: [Int64] = []
    /// When the send carrying the pending datagrams started.
    private var pendingSendStart: Int64 = 0
    /// Whether the last send found room on the socket; if not, the next wait is for it to become writable.
    private var writable = true
    /// While draining (after SIGTERM): when the drain ends at the latest, and when anything last came in.
    private var drainUntil: Int64?
    private var lastReceived: Int64 = 0
    /// The block list revision last written to the state file (BrokerServer+State.swift).
    var savedBlocks = 0

    init(config: BrokerConfig, log: Logger, signals: SignalWatcher) throws(SystemError) {
        self.config = config
        self.log = log
        self.signals = signals
        socket = try UDPSocket(bind: config.address, batch: 64, receiveBuffer: 8 << 20, sendBuffer: 8 << 20, timestamps: true)
        // Separate kernel draws: the epoch is public (every WELCOME carries it), so the cookie key must not be
        // derivable from it, as it would be from one seeded generator.
        core = BrokerCore(
            timers: config.timers, limits: config.limits, epoch: Clock.randomSeed(), cookieKey: (Clock.randomSeed(), Clock.randomSeed()),
            publishSecret: config.publishSecret, cluster: config.cluster)
        sender = BatchSender(socket: socket)
        boundAddress = socket.localAddress ?? config.address
        gate = StatusGate(password: config.statusPassword)
        scrapeLimiter = ScrapeLimiter(perSecond: config.scrapeRate, burst: max(20, 2 * config.scrapeRate))
        forwarder = FanoutPlanner(sender: sender, queueCapacity: config.limits.subscriberQueueDatagrams)
        if let m = config.metricsAddress {
            metrics = try HTTPServer(bind: m, purpose: "metrics")
            renderer = OffLoopWorker(maxQueued: BrokerConfig.maxQueuedRenders)
        }
        try openCapture()
        restoreState()
    }

    func run() -> Int32 {
        log.info(
            "listening on \(socket.localAddress?.description ?? config.address.description) (epoch \(String(core.epoch, radix: 16)), origin \(ProducerID(rawValue: core.originTag)!))"
        )
        if let m = metrics {
            log.info("metrics on http://\(m.address)/metrics")
            log.info(gate.password == nil ? "status page off: set STATUS_PASSWORD to turn it on" : "status page on http://\(m.address)/status")
        }
        startResolver()
        defer { resolver?.stop() }
        return EventLoop.run(self)
    }

    /// Never blocks: a slow or silent HTTP client costs a descriptor, not a turn of the media loop, and the large
    /// bodies are rendered off the loop. The time spent here is recorded whenever there was HTTP work.
    private func serviceHTTP(ready: Set<Int32>) {
        guard let m = metrics else { return }
        let t = Clock.now()
        let answered = answerRendered(ready: ready, now: t)
        let busy = answered || m.connectionCount > 0 || ready.contains(m.listenFD)
        // The thread's CPU clock is a system call, not the vDSO: read only on a turn with HTTP work.
        let cpu = busy ? Clock.threadCPUNanos() : 0
        m.service(ready: ready, now: t) { r, from, ticket in serveHTTP(r, from: from, ticket: ticket) }
        guard busy else { return }
        let nanos = (Clock.now() - t) * 1000
        httpFigures.turns.record(nanos: nanos)
        httpFigures.longestTurnNanos = max(httpFigures.longestTurnNanos, nanos)
        httpFigures.longestTurnCPUNanos = max(httpFigures.longestTurnCPUNanos, Clock.threadCPUNanos() - cpu)
    }

    /// Logs what the core reported, at most a burst of each kind per window (peers choose how many events they
    /// cause), with a summary of the rest.
    private func logEvents(now: Int64) {
        while let e = core.pollEvent() {
            let (level, line) = e.logLine
            if logLimiter.admit(e.kind, now: now) { log.log(level, line) }
        }
        for s in logLimiter.summaries(now: now) { log.warning(s) }
    }

    /// Sends the control datagrams the core has queued and hands its media outputs to the fan-out planner.
    private func dispatchTransmits() {
        while let o = core.pollTransmit() {
            if case .send(let to, let bytes) = o {
                if case .sent = socket.send(bytes, to: to) {
                    if let c = capture { c.record(bytes, from: boundAddress, to: to, wallMicros: Clock.wallMicros()) }
                } else {
                    controlDropped += 1
                }
            } else {
                forwarder.dispatch(o)
            }
        }
    }

    /// Sends what an operator's command queued (BYE, ERROR, STREAM_STATUS) without waiting for the next turn.
    func dispatchTransmitsNow() {
        dispatchTransmits()
    }

    private func noteSendStart() {
        if !pendingArrivals.isEmpty && pendingSendStart == 0 { pendingSendStart = Clock.wallNanos() }
    }

    /// Once nothing is left queued, every pending DATA datagram has been forwarded: record their delays.
    private func recordForwardDelays() {
        guard !pendingArrivals.isEmpty, !forwarder.hasBacklog || pendingArrivals.count >= 1 << 16 else { return }
        let done = Clock.wallNanos()
        let start = pendingSendStart == 0 ? done : pendingSendStart
        let k = Int64(Self.forwardDelaySamples)
        for a in pendingArrivals {
            for j in 0..<k { forwardDelay.record(nanos: start - a + (done - start) * (2 * j + 1) / (2 * k)) }
        }
        pendingArrivals.removeAll(keepingCapacity: true)
        pendingSendStart = 0
    }
}

/// The broker's turn around `EventLoop`: the drain before it, the resolver's answers and signals, the fan-out planner
/// between receive batches, the HTTP side, the state file and the capture after it.
extension BrokerServer: EventLoopHost {
    /// Batches read per turn: the rest waits for the next turn so that timers and HTTP keep their turn.
    var maxBatchesPerTurn: Int { 16 }
    /// A turn of 16 batches lasts long enough that each datagram is stamped as it is fed.
    var clockPerDatagram: Bool { true }

    func turnStarts(now: Int64) -> Int32? {
        guard let d = drainUntil, now >= d || now - lastReceived >= BrokerConfig.drainQuiet else { return nil }
        log.info("drained: exiting")
        _ = forwarder.flush()
        capture?.flush()
        return 0
    }

    func waitFor(now: Int64) -> EventLoop.Wait {
        var read = [signals.fd]
        if let r = resolver { read.append(r.wake.readFD) }
        var write = writable ? [] : [socket.fd]
        if let m = metrics {
            read += m.readDescriptors + [renderer!.wakeFD]
            write += m.writeDescriptors
        }
        let deadline = min(metrics?.nextDeadline ?? .max, now + (drainUntil == nil ? 1_000_000 : 20_000))
        return EventLoop.Wait(readable: read, writable: write, deadline: deadline, immediately: forwarder.hasBacklog && writable)
    }

    func woke(_ ready: Set<Int32>, now: Int64) -> Int32? {
        if let r = resolver, ready.contains(r.wake.readFD) {
            r.wake.drain()
            takeResolved(now: now)
        }
        guard ready.contains(signals.fd), let sig = signals.take() else { return nil }
        if drainUntil == nil {
            log.info("signal \(sig): telling \(core.sessions.count) peers the broker is leaving")
            core.shutdown(now: now)
            dispatchTransmits()
        }
        _ = forwarder.flush()
        // A second signal, or no drain asked for: leave now.
        guard drainUntil == nil, config.drainMicros > 0 else {
            capture?.flush()
            return 0
        }
        drainUntil = now + config.drainMicros
        lastReceived = now
        log.info("draining for at most \(config.drainMicros / 1000) ms while peers move")
        return nil
    }

    func admit(_ bytes: [UInt8], from: PeerAddress) -> Bool {
        if DataHeader.isData(bytes) && socket.arrivalWallNanos != 0 { pendingArrivals.append(socket.arrivalWallNanos) }
        if let c = capture { c.record(bytes, from: from, to: boundAddress, wallMicros: arrivalMicros()) }
        guard drainUntil != nil else { return true }
        // A draining broker takes no new sessions: a peer we just told to leave must not settle here again.
        if !DataHeader.isData(bytes), case .hello? = try? Message.decode(bytes[...]) { return false }
        // Quiet means no client or producer is still talking to us: peer brokers greet every broker they list,
        // leaving or not, so their datagrams do not hold the exit back.
        if core.peerLinks[from] == nil { lastReceived = Clock.now() }
        return true
    }

    /// Forwards after each batch: the first subscribers' copies leave before the next batch is read.
    func afterBatch() {
        dispatchTransmits()
        noteSendStart()
        writable = forwarder.flush()
        recordForwardDelays()
    }

    func transmit() { dispatchTransmits() }

    func runTimers(now: Int64) {
        core.handleTimeout(now: now)
        dispatchTransmits()
        timerTurns.record(nanos: (Clock.now() - now) * 1000)
    }

    func turnEnds(_ ready: Set<Int32>, now: Int64) -> Int32? {
        if forwarder.hasBacklog {
            noteSendStart()
            writable = forwarder.flush()
            recordForwardDelays()
        } else {
            writable = true
        }
        logEvents(now: now)
        if core.blocks.revision != savedBlocks { saveState() }
        serviceHTTP(ready: ready)
        if capture != nil { captureTurn(now: now) }
        return nil
    }
}
