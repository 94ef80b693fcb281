import Impairment
import Platform
import Wire

/// A UDP relay for tests and benchmarks that drops, duplicates and reorders datagrams (tc netem is not available
/// here), by the same `Impairment` rules as the in-memory test network. Every downstream peer gets its own
/// upstream socket, so the broker sees one address per peer.
///
/// Its loop is its own, not `EventLoop`'s: the relay has no protocol core (no handshake, no timers of a session,
/// nothing it must hear before judging a silence). It forwards bytes between a front socket, one upstream socket
/// per peer created on demand, and a queue of held-back copies; a core wrapped around that would be a stand-in.
final class LossyRelay {
    struct Config {
        var listen: PeerAddress
        var upstream: PeerAddress
        var conditions: Impairment.Conditions
        var seed: UInt64
    }

    /// A copy held back to be sent later.
    struct Pending {
        var at: Int64
        var bytes: [UInt8]
        var socket: UDPSocket
        var to: PeerAddress
    }

    let config: Config
    let log: Logger
    let signals: SignalWatcher
    private let front: UDPSocket
    private var peers: [PeerAddress: UDPSocket] = [:]
    private var byFD: [Int32: PeerAddress] = [:]
    // One thread reads every upstream socket in turn, so they share one receive storage (64 KB slots for GRO).
    private let upstreamStorage = ReceiveStorage(batch: 64)
    private var impairment: Impairment
    private var queue: [Pending] = []

    init(config: Config, log: Logger, signals: SignalWatcher) throws(SystemError) {
        self.config = config
        self.log = log
        self.signals = signals
        front = try UDPSocket(bind: config.listen, batch: 64, receiveBuffer: 16 << 20, sendBuffer: 16 << 20)
        impairment = Impairment(conditions: config.conditions, seed: config.seed)
    }

    /// Relays until SIGINT/SIGTERM; returns the exit status.
    func run() -> Int32 {
        let c = config.conditions
        log.info("relaying \(config.listen) -> \(config.upstream): loss \(c.loss), duplicate \(c.duplication), reorder \(c.reorder)")
        while true {
            let now = Clock.now()
            let next = queue.map(\.at).min() ?? now + 1_000_000
            let ready = Poller.wait(readable: [front.fd, signals.fd] + byFD.keys, timeoutMicros: next - now)
            if ready.contains(signals.fd) {
                log.info("seen \(impairment.seen), dropped \(impairment.lost), duplicated \(impairment.duplicated), reordered \(impairment.delayed)")
                return 0
            }
            let t = Clock.now()
            if ready.contains(front.fd) { readFront(now: t) }
            for fd in ready { if let peer = byFD[fd] { readUpstream(peer, now: t) } }
            sendDue()
        }
    }

    private func readFront(now: Int64) {
        while front.receiveBatch({ bytes, from in
            guard let up = upstreamSocket(for: from) else { return }
            relay(bytes, via: up, to: config.upstream, now: now)
        }) > 0 {}
    }

    private func readUpstream(_ peer: PeerAddress, now: Int64) {
        guard let s = peers[peer] else { return }
        while s.receiveBatch({ bytes, _ in relay(bytes, via: front, to: peer, now: now) }) > 0 {}
    }

    private func upstreamSocket(for peer: PeerAddress) -> UDPSocket? {
        if let s = peers[peer] { return s }
        let any = config.upstream.isIPv6 ? PeerAddress(ipv6High: 0, low: 0, port: 0) : PeerAddress(ipv4: 0x7f00_0001, port: 0)
        guard let s = try? UDPSocket(bind: any, batch: 64, receiveBuffer: 8 << 20, storage: upstreamStorage) else {
            log.warning("no upstream socket for \(peer); its datagrams are dropped")
            return nil
        }
        peers[peer] = s
        byFD[s.fd] = peer
        return s
    }

    private func relay(_ bytes: [UInt8], via socket: UDPSocket, to: PeerAddress, now: Int64) {
        for delay in impairment.decide(bytes).delays {
            if delay <= 0 {
                socket.send(bytes, to: to)
            } else {
                queue.append(Pending(at: now + delay, bytes: bytes, socket: socket, to: to))
            }
        }
    }

    private func sendDue() {
        guard !queue.isEmpty else { return }
        let t = Clock.now()
        let due = queue.filter { $0.at <= t }
        queue.removeAll { $0.at <= t }
        for p in due { p.socket.send(p.bytes, to: p.to) }
    }
}
