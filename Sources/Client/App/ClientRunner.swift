import ClientCore
import Console
import Viewer
import Config
import Platform
import Wire

struct ClientConfig {
    /// The first broker of `brokers` (the one broker of `--sessions`).
    var broker: PeerAddress
    /// Every broker of BROKER_ADDRESS: with more than one the client fails over between them.
    var brokers: [PeerAddress] = []
    /// The index in `brokers` to start on (BROKER_PICK=first: 0); nil: a random one.
    var firstBroker: Int?
    var bind: PeerAddress?
    var output: String?
    var statusInterval: Int64 = 1_000_000
    var subscribe: [StreamID] = []
    var headless = false
    /// Serve the viewer page here (`--web`); nil: no page.
    var web: PeerAddress?
    /// Record into files (`--record`); nil: no recording.
    var recorder: RecorderConfig?
    var timers = Timers()
    var limits = Limits()
}

/// The client's driver: reads commands from stdin, feeds the core, writes frames, prints status.
final class ClientRunner {
    let config: ClientConfig
    let log: Logger
    let socket: UDPSocket
    let signals: SignalWatcher
    var core: ClientSession
    var stdin: LineReader?
    /// Set when stdin and stdout are both a terminal: input is read byte by byte and edited here, and the status
    /// lines and the prompt are a region redrawn in place at the bottom (`LiveRegion`).
    var terminal: Terminal?
    var editor = LineEditor()
    var region = LiveRegion()
    /// The latest status line of each subscribed stream, shown in the region.
    var streamLines: [String] = []
    let interactive: Bool
    var showStatus: Bool
    var figures: [StreamID: StreamFigures] = [:]
    var nextStatus: Int64 = 0
    var lastStatus: Int64 = 0
    var writeErrors = 0
    /// The viewer page's server, tabs and players (`--web`).
    var web: WebViewer?
    /// Who asked for each subscription: the prompt, a tab, a player.
    var claims = SubscriptionClaims()
    /// LIST requests typed at the prompt and not yet answered: only those answers are printed (the page asks too).
    var promptLists = 0
    var nextWebTick: Int64 = 0
    var lastWebState = ""
    /// LIST requests sent after a waiting subscription, whose answers are worded as "online now: ...".
    var listsForWaiting = 0
    /// The broker (origin tag) each stream's producer is on, from the latest LIST answer, for `stats`.
    var origins: [StreamID: UInt32] = [:]
    /// Set at the end of input (a closed pipe, Ctrl-D at the terminal): no more commands are read.
    var inputEnded = false
    /// The broker the socket is connected to, for ICMP port unreachable (failover only).
    var connection: BrokerConnection
    /// The recorder (`--record`).
    var recorder: Recorder?

    /// The broker the client uses now.
    var broker: PeerAddress { core.broker ?? config.broker }

    init(config: ClientConfig, log: Logger, signals: SignalWatcher) throws(SystemError) {
        self.config = config
        self.log = log
        self.signals = signals
        let bind = config.bind ?? (config.broker.isIPv6 ? PeerAddress(ipv6High: 0, low: 0, port: 0) : PeerAddress(ipv4: 0, port: 0))
        socket = try UDPSocket(bind: bind, batch: 64, receiveBuffer: 8 << 20)
        core = ClientSession(timers: config.timers, limits: config.limits, brokers: config.brokers, firstBroker: config.firstBroker, seed: Clock.randomSeed())
        connection = BrokerConnection(socket: socket, broker: config.brokers.count > 1 ? core.broker : nil)
        interactive = !config.headless && Files.isTerminal(0)
        showStatus = !config.headless && config.statusInterval > 0
        if !config.headless {
            if Files.isTerminal(1) { terminal = Terminal(fd: 0) }
            if terminal == nil { stdin = LineReader(fd: 0) }
        }
        if let w = config.web { web = try WebViewer(bind: w, log: log) }
        if let r = config.recorder { recorder = try Recorder(config: r, log: log) }
        if let w = web, let r = recorder { w.recordings.source = RecordingFiles.Source(root: r.config.settings.root) { r.figures } }
        if let o = config.output {
            do { try Files.makeDirectories(o) } catch { log.error("cannot create output folder \(o): \(error)") }
        }
    }

    /// Sends what the core has queued.
    func flushTransmits() {
        connection.follow(socket, to: broker)
        while let d = core.pollTransmit() { socket.send(d, to: broker) }
        noteRefusals(now: Clock.now())
    }

    /// Tells the core when the socket reported the broker unreachable (ICMP port unreachable).
    func noteRefusals(now: Int64) {
        guard connection.refused(socket) else { return }
        core.unreachable(now: now)
        connection.follow(socket, to: broker)
        while let d = core.pollTransmit() { socket.send(d, to: broker) }
    }

    func prompt() {
        if terminal != nil {
            redrawRegion()
        } else if interactive {
            writeAll(1, "> ")
        }
    }

    func run() -> Int32 {
        let now = Clock.now()
        core.connect(now: now)
        flushTransmits()
        if !config.headless {
            say("client: broker \(broker)" + (config.output.map { ", saving frames under \($0)" } ?? "") + ". Type help for commands.")
        }
        if let w = web { announceWeb(w) }
        for s in config.subscribe { claim(s, by: .prompt, now: now) }
        for s in config.recorder?.selectors ?? [] { claim(s, by: .recorder, now: now) }
        prompt()
        lastStatus = now
        nextStatus = now + config.statusInterval
        return EventLoop.run(self)
    }

    func subscribe(_ s: StreamID, now: Int64) {
        let held = core.isSubscribed(s) || core.subscriptions.contains(s)
        core.subscribe(s, now: now)
        flushTransmits()
        guard !held else { return }
        // A new subscription starts new figures (frames, bytes, latency, first frame), as the core's counts do.
        let ids = s.isProducerSelector ? StreamKind.allCases.map { StreamID(producer: s.producer, kind: $0) } : [s]
        for id in ids {
            var fig = StreamFigures()
            fig.joinedAt = now
            fig.subscribeSentAt = core.link.isConnected ? now : nil
            figures[id] = fig
        }
    }

    /// Returns false when the user asked to quit.
    func execute(_ line: String, now: Int64) -> Bool {
        switch ClientCommand.parse(line) {
        case .failure(let e): say(e.message)
        case .success(let c):
            switch c {
            case .subscribe(let s): claim(s, by: .prompt, now: now)
            case .unsubscribe(let s): promptUnsubscribe(s, now: now)
            case .list:
                promptLists += 1
                core.list(now: now)
                flushTransmits()
            case .stats:
                printStats()
                core.list(now: now)  // refreshes which broker each producer is on, for the next `stats` (not printed)
                flushTransmits()
            case .help: say(ClientCommand.helpText)
            case .quit: return false
            case .status(let on):
                showStatus = on
                if !on { streamLines = [] }
                say("status lines \(on ? "on" : "off")")
            case .state: say(connectionLine())
            }
        }
        _ = handleEvents()
        return true
    }

    /// Prints events and saves frames. Returns false when the broker's operator ended the session.
    @discardableResult
    func handleEvents() -> Bool {
        while let e = core.pollEvent() {
            switch e {
            case .connected(let fresh):
                // Subscriptions asked for while connecting went out with the session's start.
                let now = Clock.now()
                core.list(now: now)  // which broker each producer is on, for `stats` (the answer is not printed)
                for id in figures.keys where figures[id]!.joinedAt != nil && figures[id]!.subscribeSentAt == nil {
                    figures[id]!.subscribeSentAt = now
                }
                if !config.headless { say(fresh ? "connected to broker \(broker)" : "broker \(broker) is answering again") }
                log.info("connected to broker \(broker)")
            case .brokerLost:
                if !config.headless { say("lost contact with the broker at \(broker); reconnecting, subscriptions will be restored") }
                log.warning("no answer from broker \(broker)")
            case .moved(let from, let to):
                say("broker \(from) is gone; now on \(to), subscriptions kept")
                log.warning("moved from broker \(from) to \(to)")
            case .brokerLeaving:
                if !config.headless { say("the broker is shutting down; reconnecting, subscriptions will be restored") }
            case .disconnected:
                // Said even when headless: it is why the client stops.
                say("disconnected by the broker: its operator ended this session; not reconnecting")
                log.warning("broker \(broker) ended this session (operator disconnect)")
                return false
            case .streamStatus(let id, let state):
                if !config.headless { say("stream \(id) is \(state)") }
                if state != .online { web?.readers.forget(id) }
            case .waiting:
                if let r = e.reply { say(r.text) }
                // Say what can be watched meanwhile: the answer to this LIST is worded as the online producers.
                core.list(now: Clock.now())
                flushTransmits()
                listsForWaiting += 1
            case .list(let entries):
                for e in entries { origins[e.stream] = e.origin }
                for s in recorder?.newProducers(entries) ?? [] { claim(s, by: .recorder, now: Clock.now()) }
                if listsForWaiting > 0 {
                    listsForWaiting -= 1
                    say(Self.onlineProducers(entries))
                } else if promptLists > 0 {
                    promptLists -= 1
                    printList(entries)
                }
                web?.broadcast(ViewerMessage.list(broker: broker.description, entries))
                web?.readers.entries = Dictionary(entries.map { ($0.stream, $0) }, uniquingKeysWith: { a, _ in a })
            case .frame(let f):
                deliver(f)
                web?.deliver(f, now: Clock.now())
            default:
                if let r = e.reply { say(r.text) }
            }
        }
        if web != nil { sendWebStateIfChanged() }
        return true
    }

    func deliver(_ f: CompleteFrame) {
        let latency = Double(Int64(bitPattern: Clock.wallMicros()) - Int64(bitPattern: f.captureTime)) / 1000
        var fig = figures[f.stream, default: StreamFigures()]
        fig.record(bytes: f.bytes.count, latencyMs: latency, cached: f.cached, now: Clock.now())
        figures[f.stream] = fig
        recorder?.record(f)
        guard let out = config.output else { return }
        let dir = "\(out)/\(f.stream)"
        let ext = switch f.stream.kind {
        case .audio: "mp3"
        case .opus: "opus"
        default: "jpg"
        }
        // Capture time and frame number together never collide, even when a producer loops or restarts.
        let name = "\(dir)/\(f.captureTime)-\(f.number).\(ext)"
        do {
            if fig.frames == 1 { try Files.makeDirectories(dir) }
            try Files.write(name, f.bytes)
        } catch {
            writeErrors += 1
            if writeErrors <= 3 || writeErrors % 100 == 0 { log.error("cannot save \(name): \(error) (\(writeErrors) failures)") }
        }
    }

    func printList(_ entries: [ListEntry]) {
        guard !entries.isEmpty else {
            say("the broker knows no producers yet")
            return
        }
        var byProducer: [ProducerID: [ListEntry]] = [:]
        for e in entries { byProducer[e.stream.producer, default: []].append(e) }
        for p in byProducer.keys.sorted() {
            let streams = byProducer[p]!.map {
                "\($0.stream) \($0.stream.kind?.description ?? "stream") \(fmt(Double($0.rateMilli) / 1000, 1)) fps \($0.state) \($0.subscribers) sub"
            }
            // The broker the producer is on, by its origin tag (each broker logs and serves its own at start).
            let origins = Set(byProducer[p]!.map(\.origin).filter { $0 != 0 })
            let on = origins.isEmpty ? "" : " (on broker " + origins.sorted().map { ProducerID(rawValue: $0)!.description }.joined(separator: ", ") + ")"
            say("\(p)\(on): " + streams.joined(separator: "; "))
        }
    }

    /// One line naming the producers with a stream online, for a user whose subscription waits.
    static func onlineProducers(_ entries: [ListEntry]) -> String {
        let online = Set(entries.filter { $0.state == .online }.map(\.stream.producer)).sorted()
        return online.isEmpty ? "no producer is online now" : "online now: " + online.map(\.description).joined(separator: ", ")
    }

    func printStatus(now: Int64) {
        let elapsed = Double(now - lastStatus) / 1e6
        lastStatus = now
        let stats = core.stats
        var lines: [String] = []
        for id in stats.keys.sorted() where core.isSubscribed(id) {
            var fig = figures[id, default: StreamFigures()]
            let s = stats[id]!
            let fps = Double(fig.frames - fig.framesAtLast) / max(elapsed, 0.001)
            let lat = fig.latencies.isEmpty ? "-" : fmt(fig.latencies.reduce(0, +) / Double(fig.latencies.count), 1) + " ms"
            lines.append(
                "[\(id)] \(fmt(fps, 1)) fps, \(fig.frames) complete, \(s.frames.dropped) dropped, \(s.loss.lost) lost, \(s.loss.recovered) recovered, latency \(lat)"
            )
            fig.framesAtLast = fig.frames
            fig.latencies.removeAll(keepingCapacity: true)
            figures[id] = fig
        }
        showStatusLines(lines)
    }

    func printStats() {
        let stats = core.stats
        if stats.isEmpty {
            say(
                "nothing received yet; subscriptions: "
                    + (core.subscriptions.isEmpty ? "none" : core.subscriptions.sorted().map(\.description).joined(separator: " ")))
            return
        }
        say("subscriptions: " + (core.subscriptions.isEmpty ? "none" : core.subscriptions.sorted().map(\.description).joined(separator: " ")))
        for id in stats.keys.sorted() { say(summaryLine(id, stats[id]!)) }
        let on = stats.keys.sorted().compactMap { id in origins[id].flatMap { $0 == 0 ? nil : "\(id) \(ProducerID(rawValue: $0)!)" } }
        if !on.isEmpty { say("producers on brokers (origin tags): " + on.joined(separator: ", ")) }
        for line in recorder?.statsLines() ?? [] { say(line) }
        let rtt = core.link.rtt
        say(
            "broker \(broker): \(core.link.isConnected ? "connected" : "not connected"), rtt \(rtt.hasSample ? fmt(Double(rtt.smoothed) / 1000, 2) + " ms" : "-"), malformed datagrams \(core.malformed)"
        )
    }

    func summaryLine(_ id: StreamID, _ s: ReceiveStats) -> String {
        let fig = figures[id, default: StreamFigures()]
        let avg = fig.latencyCount > 0 ? fig.latencySum / Double(fig.latencyCount) : 0
        var join = fig.firstFrameAfterJoin.map { fmt(Double($0) / 1000, 1) + " ms" } ?? "-"
        if let j = fig.firstFrameAfterSubscribe { join += " (\(fmt(Double(j) / 1000, 2)) ms after the SUBSCRIBE)" }
        let age = fig.joinFrameAgeMs.map { fmt($0, 1) + " ms" } ?? "-"
        return
            "\(id): \(s.frames.delivered) frames complete, \(s.frames.dropped) dropped, \(s.loss.received) datagrams, \(s.loss.lost) lost, \(s.loss.recovered) recovered, \(s.loss.duplicates) duplicates, \(fig.bytes) bytes, latency avg \(fmt(avg, 2)) p50 \(fmt(fig.percentile(0.5), 1)) p99 \(fmt(fig.percentile(0.99), 1)) ms (live frames), join frame age \(age), first frame \(join)"
    }

    func leave() -> Int32 {
        web?.closeAll(now: Clock.now())
        closeRegion()
        socket.send(core.bye(), to: broker)
        recorder?.stop()
        let stats = core.stats
        if stats.isEmpty { say("summary: no frames received") }
        for id in stats.keys.sorted() { say("summary " + summaryLine(id, stats[id]!)) }
        return 0
    }
}

/// The client's turn around `EventLoop`: stdin or the terminal, the viewer page and the status lines beside the core.
extension ClientRunner: EventLoopHost {
    /// Batches read per turn: a burst of media must not hold the prompt and the page back.
    var maxBatchesPerTurn: Int { 64 }

    func waitFor(now: Int64) -> EventLoop.Wait {
        var wake = now + 1_000_000
        if showStatus { wake = min(wake, nextStatus) }
        if let r = recorder, r.config.all { wake = min(wake, r.nextList) }
        var fds = [signals.fd]
        if let s = stdin, !s.atEnd { fds.append(s.fd) }
        if let t = terminal, !inputEnded { fds.append(t.fd) }
        if let w = web {
            fds += w.readDescriptors
            wake = min(wake, w.nextDeadline, nextWebTick, claims.nextDeadline)
        }
        return EventLoop.Wait(readable: fds, writable: web?.writeDescriptors ?? [], deadline: wake)
    }

    func woke(_ ready: Set<Int32>, now: Int64) -> Int32? {
        guard ready.contains(signals.fd), let sig = signals.take() else { return nil }
        log.info("signal \(sig)")
        return leave()
    }

    func admit(_ bytes: [UInt8], from: PeerAddress) -> Bool { from == broker }
    func afterReceive(now: Int64) { noteRefusals(now: now) }
    func transmit() { flushTransmits() }

    func turnEnds(_ ready: Set<Int32>, now: Int64) -> Int32? {
        if let r = recorder, r.listDue(now: Clock.now()) { core.list(now: Clock.now()) }  // RECORD=all follows producers
        if handleEvents() == false { return leave() }
        flushTransmits()  // what the events asked for (a LIST on connecting)
        if web != nil { serviceWeb(ready: ready) }
        if var s = stdin, ready.contains(s.fd) {
            let lines = s.readLines()
            stdin = s
            for line in lines {
                if web != nil && !line.allSatisfy(\.isWhitespace) { web?.broadcast(ViewerMessage.say("prompt: \(line)")) }
                if !execute(line, now: Clock.now()) { return leave() }
            }
            if !lines.isEmpty { prompt() }
            if s.atEnd { endOfInput() }
        }
        if let t = terminal, !inputEnded, ready.contains(t.fd), !readTerminal(now: Clock.now()) { return leave() }
        let t = Clock.now()
        if showStatus, t >= nextStatus {
            printStatus(now: t)
            nextStatus = t + config.statusInterval
        }
        return nil
    }
}
