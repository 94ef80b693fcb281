#if canImport(Glibc)
import Glibc
#endif
import Wire

// lossy-relay: a UDP relay for tests and benchmarks that drops, duplicates and reorders datagrams (tc netem is not
// available here). Every downstream peer gets its own upstream socket, so the broker sees one address per peer.

let signals = SignalWatcher()
let specs: [SettingSpec] = [
    SettingSpec("listen", env: "RELAY_LISTEN", default: "127.0.0.1:6000", "Address peers send to (host:port)."),
    SettingSpec("upstream", env: "RELAY_UPSTREAM", default: "127.0.0.1:5000", "The broker (host:port)."),
    SettingSpec("loss", env: "RELAY_LOSS", default: "0", "Probability a datagram is dropped, each way (0...1)."),
    SettingSpec("duplicate", env: "RELAY_DUPLICATE", default: "0", "Probability a datagram is sent twice (0...1)."),
    SettingSpec("reorder", env: "RELAY_REORDER", default: "0", "Probability a datagram is held back by up to --jitter-ms (0...1)."),
    SettingSpec("jitter-ms", env: "RELAY_JITTER_MS", default: "2", "Largest extra delay of a reordered datagram."),
    SettingSpec("data-only", env: "RELAY_DATA_ONLY", switch: true, "Apply loss only to DATA and NACK datagrams (control always passes)."),
    SettingSpec("seed", env: "RELAY_SEED", default: "1", "Random seed."),
    SettingSpec("log-level", env: "LOG_LEVEL", default: "info", "debug, info, warning or error."),
]
let settings = Settings.parseOrExit(program: "lossy-relay", specs: specs, summary: "lossy-relay: forwards UDP between peers and the broker, losing, duplicating and reordering datagrams.")
struct RelayConfig {
    var listen: PeerAddress
    var upstream: PeerAddress
    var loss: Double
    var duplicate: Double
    var reorder: Double
    var jitter: Int64
    var dataOnly: Bool
    var seed: UInt64
}
let cfg = exitOnSettingsError("lossy-relay") { () throws(SettingsError) in
    RelayConfig(
        listen: try settings.address("listen")!, upstream: try settings.address("upstream")!,
        loss: try settings.double("loss", in: 0...1)!, duplicate: try settings.double("duplicate", in: 0...1)!,
        reorder: try settings.double("reorder", in: 0...1)!, jitter: Int64(try settings.double("jitter-ms", in: 0...10_000)! * 1000),
        dataOnly: try settings.bool("data-only"), seed: UInt64(try settings.int("seed", in: 0...Int.max)!))
}
let log = Logger(name: "lossy-relay", level: exitOnSettingsError("lossy-relay") { () throws(SettingsError) in try settings.logLevel("log-level") })

struct Pending {
    var at: Int64
    var bytes: [UInt8]
    var socket: UDPSocket
    var to: PeerAddress
}

do {
    let front = try UDPSocket(bind: cfg.listen, batch: 64, receiveBuffer: 16 << 20, sendBuffer: 16 << 20)
    var peers: [PeerAddress: UDPSocket] = [:]
    // One thread reads every upstream socket in turn, so they share one receive storage (64 KB slots for GRO).
    let upstreamStorage = ReceiveStorage(batch: 64)
    var byFD: [Int32: PeerAddress] = [:]
    var rng = SplitMix64(seed: cfg.seed)
    var queue: [Pending] = []
    var counts = (seen: 0, dropped: 0, duplicated: 0, reordered: 0)
    func chance(_ p: Double) -> Bool { p > 0 && Double(rng.next() >> 11) / Double(1 << 53) < p }
    func relay(_ bytes: [UInt8], via socket: UDPSocket, to: PeerAddress, now: Int64) {
        counts.seen += 1
        let isMedia = bytes.count > 3 && (bytes[3] == MessageType.data.rawValue || bytes[3] == MessageType.nack.rawValue)
        if (!cfg.dataOnly || isMedia) && chance(cfg.loss) {
            counts.dropped += 1
            return
        }
        var copies = 1
        if chance(cfg.duplicate) {
            copies = 2
            counts.duplicated += 1
        }
        for _ in 0..<copies {
            if chance(cfg.reorder) {
                counts.reordered += 1
                let at = now + Int64(rng.next() % UInt64(max(cfg.jitter, 1)))
                queue.append(Pending(at: at, bytes: bytes, socket: socket, to: to))
            } else {
                socket.send(bytes, to: to)
            }
        }
    }
    log.info("relaying \(cfg.listen) -> \(cfg.upstream): loss \(cfg.loss), duplicate \(cfg.duplicate), reorder \(cfg.reorder)")
    while true {
        let now = Clock.now()
        let next = queue.map(\.at).min() ?? now + 1_000_000
        var fds = [front.fd, signals.fd]
        fds += byFD.keys
        let ready = waitForEvents(readable: fds, timeoutMicros: next - now)
        if ready.contains(signals.fd) {
            log.info("seen \(counts.seen), dropped \(counts.dropped), duplicated \(counts.duplicated), reordered \(counts.reordered)")
            exit(0)
        }
        let t = Clock.now()
        if ready.contains(front.fd) {
            while front.receiveBatch({ bytes, from in
                let up: UDPSocket
                if let s = peers[from] {
                    up = s
                } else {
                    guard let s = try? UDPSocket(bind: cfg.upstream.isIPv6 ? PeerAddress(ipv6High: 0, low: 0, port: 0) : PeerAddress(ipv4: 0x7f00_0001, port: 0), batch: 64, receiveBuffer: 8 << 20, storage: upstreamStorage)
                    else { return }
                    peers[from] = s
                    byFD[s.fd] = from
                    up = s
                }
                relay(bytes, via: up, to: cfg.upstream, now: t)
            }) > 0 {}
        }
        for fd in ready where byFD[fd] != nil {
            let peer = byFD[fd]!
            let s = peers[peer]!
            while s.receiveBatch({ bytes, _ in relay(bytes, via: front, to: peer, now: t) }) > 0 {}
        }
        if !queue.isEmpty {
            let t2 = Clock.now()
            let due = queue.filter { $0.at <= t2 }
            queue.removeAll { $0.at <= t2 }
            for p in due { p.socket.send(p.bytes, to: p.to) }
        }
    }
} catch {
    log.error("cannot start: \(error)")
    exit(1)
}
