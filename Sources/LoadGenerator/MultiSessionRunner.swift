import ClientCore
import Console
import Config
import Platform
import Wire

/// `loadgen --sessions N`: N independent subscriber sessions (each with its own socket and protocol
/// core) in one process, for load tests where a thousand client processes would cost more than the broker.
/// Frames are only counted; at exit one summary line per stream aggregates every session. Given several brokers,
/// each session starts on a random one and fails over as the interactive client does; SIGUSR1 prints one `report`
/// line (JSON) with every session's failover figures since the last one.
final class MultiSessionRunner {
    let config: LoadConfig
    let log: Logger
    let signals: SignalWatcher
    var sessions: [LoadSession] = []
    var figures: [StreamID: StreamFigures] = [:]
    var joins: [Double] = []

    init(config: LoadConfig, log: Logger, signals: SignalWatcher) throws(SystemError) {
        self.config = config
        self.log = log
        self.signals = signals
        let now = Clock.now()
        // One thread reads every session's socket in turn: one receive storage for all of them.
        let storage = ReceiveStorage(batch: 32)
        for i in 0..<config.sessions {
            let bind = config.broker.isIPv6 ? PeerAddress(ipv6High: 0, low: 0, port: 0) : PeerAddress(ipv4: 0x7f00_0001, port: 0)
            let socket = try UDPSocket(bind: bind, batch: 32, receiveBuffer: 1 << 20, storage: storage)
            // One broker: no list, exactly the single-broker session. Several: a random first one per session (the
            // seed's), so that the sessions spread over the brokers.
            let brokers = config.brokers.count > 1 ? config.brokers : []
            var core = ClientSession(timers: config.timers, limits: config.limits, brokers: brokers, seed: Clock.randomSeed() &+ UInt64(i))
            core.connect(now: now)
            let subs = config.spread && !config.subscribe.isEmpty ? [config.subscribe[i % config.subscribe.count]] : config.subscribe
            for s in subs { core.subscribe(s, now: now) }
            let session = LoadSession(socket: socket, core: core, joinedAt: now, fallback: config.broker)
            sessions.append(session)
            session.transmit()
        }
    }

    /// The broker session `i` uses now.
    func broker(_ i: Int) -> PeerAddress { sessions[i].broker }

    func run() -> Int32 {
        let fdIndex = Dictionary(uniqueKeysWithValues: sessions.enumerated().map { ($0.element.socket.fd, $0.offset) })
        let poller = Poller()
        do {
            try poller.add(signals.fd)
            for s in sessions { try poller.add(s.socket.fd) }
        } catch {
            log.error("\(error)")
            return 1
        }
        // Said once the signals are watched: from here SIGUSR1 asks for a report instead of ending the process.
        log.info("\(sessions.count) sessions started on \(Set(sessions.indices.map { broker($0) }).count) brokers; SIGUSR1 prints a report")
        while true {
            let now = Clock.now()
            var wake = now + 1_000_000
            for s in sessions { wake = min(wake, s.deadline) }
            let ready = poller.wait(timeoutMicros: wake - now)
            let t = Clock.now()
            for fd in ready {
                if fd == signals.fd {
                    while let sig = signals.take() {
                        guard SignalWatcher.isUser1(sig) else { return finish() }
                        report()
                    }
                    continue
                }
                guard let i = fdIndex[fd] else { continue }
                serve(i, readable: true, now: t)
            }
            let t2 = Clock.now()
            // A due session's socket is read before its timers run (`EventLoop.serve`).
            for i in sessions.indices where sessions[i].deadline <= t2 { serve(i, readable: false, now: t2) }
        }
    }

    /// One `EventLoop` turn of session `i`: its socket read, its due timers run, its events counted.
    private func serve(_ i: Int, readable: Bool, now: Int64) {
        EventLoop.serve(sessions[i], readable: readable, now: now)
        collect(i)
        sessions[i].deadline = sessions[i].core.pollTimeout()
    }

    private func collect(_ i: Int) {
        while let e = sessions[i].core.pollEvent() {
            switch e {
            case .moved(let from, let to):
                sessions[i].failover.moved(now: Clock.now())
                log.info("session \(i): moved from broker \(from) to \(to)")
            case .connected:
                sessions[i].failover.connected(now: Clock.now())
            case .frame(let f):
                sessions[i].failover.frame(f, now: Clock.now())
                let latency = Double(Int64(bitPattern: Clock.wallMicros()) - Int64(bitPattern: f.captureTime)) / 1000
                figures[f.stream, default: StreamFigures()].frames += 1
                figures[f.stream, default: StreamFigures()].bytes += f.bytes.count
                figures[f.stream, default: StreamFigures()].add(latencyMs: latency)
                if sessions[i].firstFrame[f.stream] == nil {
                    sessions[i].firstFrame[f.stream] = Clock.now()
                    // Join time counts from the subscription's acknowledgement being possible: the session start.
                    joins.append(Double(Clock.now() - sessions[i].joinedAt) / 1000)
                }
            default:
                if let r = e.reply, !r.ok { log.warning("session \(i): \(r.text)") }
            }
        }
    }

    /// One `report` line: every session's failover figures since the last report (JSON), then a fresh period.
    private func report() {
        let now = Clock.now()
        var parts: [String] = []
        for i in sessions.indices {
            parts.append(sessions[i].failover.report(index: i, broker: broker(i), core: sessions[i].core))
        }
        say("report {\"t_ms\":\(ms(now)),\"sessions\":[" + parts.joined(separator: ",") + "]}")
    }

    private func finish() -> Int32 {
        for i in sessions.indices { sessions[i].socket.send(sessions[i].core.bye(), to: broker(i)) }
        var total: [StreamID: ReceiveStats] = [:]
        for s in sessions {
            for (id, st) in s.core.stats {
                var a = total[id] ?? ReceiveStats()
                a.loss.received += st.loss.received
                a.loss.lost += st.loss.lost
                a.loss.recovered += st.loss.recovered
                a.loss.duplicates += st.loss.duplicates
                a.frames.delivered += st.frames.delivered
                a.frames.dropped += st.frames.dropped
                a.bytes += st.bytes
                total[id] = a
            }
        }
        joins.sort()
        let joinP50 = joins.isEmpty ? 0 : joins[joins.count / 2]
        let joinMax = joins.last ?? 0
        say("sessions \(sessions.count), join p50 \(fmt(joinP50, 1)) ms max \(fmt(joinMax, 1)) ms")
        for id in total.keys.sorted() {
            let s = total[id]!
            let fig = figures[id, default: StreamFigures()]
            let avg = fig.latencyCount > 0 ? fig.latencySum / Double(fig.latencyCount) : 0
            say(
                "summary \(id): \(s.frames.delivered) frames complete, \(s.frames.dropped) dropped, \(s.loss.received) datagrams, \(s.loss.lost) lost, \(s.loss.recovered) recovered, \(s.loss.duplicates) duplicates, \(s.bytes) bytes, latency avg \(fmt(avg, 2)) p50 \(fmt(fig.percentile(0.5), 1)) p99 \(fmt(fig.percentile(0.99), 1)) ms, first frame \(fmt(joinP50, 1)) ms"
            )
        }
        return 0
    }
}
