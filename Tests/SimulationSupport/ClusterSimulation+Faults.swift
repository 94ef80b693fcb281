import BrokerCore
import Wire

/// The faults issue 14 asks the cluster to survive, besides a kill or a hang: a broker restarting on its address,
/// a broker draining after SIGTERM (as `BrokerServer` does it), and a peer link cut and restored.
extension ClusterSimulation {
    /// How long a draining broker goes on at most (DRAIN_MS, 1000 by default), and the quiet that ends it sooner
    /// (`BrokerConfig.drainQuiet`): the broker app's figures.
    public static let drainMicros: Int64 = 1_000_000
    public static let drainQuiet: Int64 = 150_000

    /// A killed broker comes back on its address as a new process: a new epoch and cookie key, no sessions, no
    /// streams, the same peer list.
    /// `keepingBlocks`: it reads back the block list it had (STATE_DIR), as `BrokerServer` does at start.
    public func restart(broker i: Int, keepingBlocks: Bool = false) {
        pastCounters[i].append(brokers[i].counters)
        let blocks = brokers[i].blocks.all
        epochs[i] &+= 0x10_0000
        brokers[i] = Self.makeBroker(epoch: epochs[i], cookieKey: (epochs[i] &* 31, epochs[i] &* 17), peers: brokerAddresses, now: now)
        if keepingBlocks { brokers[i].restoreBlocks(blocks) }
        alive[i] = true
        answersUnreachable[i] = false
        drainUntil[i] = nil
    }

    /// SIGTERM: the core tells every session (clients, producers, peers) it leaves, then the broker goes on forwarding
    /// but takes no new session, until nothing came in for `drainQuiet` or `drainMicros` passed, and exits (its host
    /// then answers with port unreachable).
    public func drain(broker i: Int) {
        brokers[i].shutdown(now: now)
        route(i)
        drainUntil[i] = now + Self.drainMicros
        drainLastReceived[i] = now
    }

    /// When broker `i`'s drain ends (`.max`: not draining).
    func drainEnd(_ i: Int) -> Int64 {
        guard let until = drainUntil[i] else { return .max }
        return min(until, drainLastReceived[i] + Self.drainQuiet)
    }

    func endDrain(_ i: Int) {
        drainUntil[i] = nil
        kill(broker: i, unreachable: true)
    }

    /// Whether a datagram reaching broker `b` is handed to it: a draining broker drops HELLOs (a peer it just told
    /// to leave must not settle there again), as `BrokerServer` does.
    /// Peer brokers' datagrams do not count as activity: they greet every broker they list, leaving or not.
    func admitWhileDraining(_ bytes: [UInt8], from: PeerAddress, broker b: Int) -> Bool {
        guard drainUntil[b] != nil else { return true }
        if !DataHeader.isData(bytes), case .hello? = try? Message.decode(bytes[...]) { return false }
        if brokers[b].peerLinks[from] == nil { drainLastReceived[b] = now }
        return true
    }

    /// Cuts the peer link from broker `a` to broker `b` (and back, if `bothWays`): what crosses it is lost.
    public func cut(_ a: Int, _ b: Int, bothWays: Bool = true) {
        cutLinks.insert(a * brokers.count + b)
        if bothWays { cutLinks.insert(b * brokers.count + a) }
    }

    /// Restores every cut link.
    public func healAll() { cutLinks = [] }

    /// A refusal reason counted by broker `i` over all its runs (restarts included).
    public func refused(_ reason: RefusalReason, broker i: Int) -> Int {
        (pastCounters[i] + [brokers[i].counters]).reduce(0) { $0 + $1.refused[reason] }
    }

    /// Stalls the process at `address` (a producer's, a client's or a broker's) for `duration`: it runs nothing
    /// (no timers, no frames: a stalled producer's pacer skips them) while what is sent to it queues on its socket;
    /// when it runs again its driver reads that queue first, with the clock jumped forward.
    public func stall(_ address: PeerAddress, for duration: Int64) {
        stalledUntil[address] = now + duration
    }

    func isStalled(_ a: PeerAddress) -> Bool { stalledUntil[a].map { $0 > now } ?? false }

    /// Hands every process whose stall is over what queued for it, in arrival order.
    func resumeStalled() {
        for (a, until) in stalledUntil where until <= now {
            stalledUntil[a] = nil
            for p in held.removeValue(forKey: a) ?? [] { deliver(p) }
            if let i = producers.firstIndex(where: { $0.address == a }) {
                while producers[i].nextFrame < now { producers[i].nextFrame += frameInterval }
            }
        }
    }

    /// The operator of broker `i` acts (the status page): the command runs in its core and what it queued goes out.
    public func operate<R>(broker i: Int, _ command: (inout BrokerCore, Int64) -> R) -> R {
        let r = command(&brokers[i], now)
        route(i)
        return r
    }

    /// PEER_ANNOUNCE and PEER_INTEREST pages sent by every broker so far.
    public var peerPagesSent: Int { peerPages.joined().reduce(0, +) }
}
