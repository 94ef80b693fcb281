import BrokerCore
import ClientCore
import ProducerCore
import Wire
import XCTest

/// Several brokers in a full mesh, producers and clients spread over them, on one `InMemoryNetwork` (every link,
/// the peer links included, loses, duplicates and reorders alike) with a virtual clock. Producers send seeded random
/// frames; the test checks what each client received against what was sent, and counts what crossed each peer link.
public final class ClusterSimulation {
    public struct Producer {
        public var session: ProducerSession
        public let id: ProducerID
        public let address: PeerAddress
        public let broker: Int
        public var nextFrame: Int64 = 0
        public var number: UInt32 = 1
    }

    public struct Client {
        public var session: ClientSession
        public let address: PeerAddress
        public let broker: Int
        public let selector: StreamID
        public let startAt: Int64
        public var started = false
        public var subscribeRequested = false
        public var retryAt: Int64 = .max
        public var subscribedAt: Int64?
        public var frames: [Simulation.ReceivedFrame] = []
        public var connections = 0
        /// The moves it made (failover clients, given a broker list), with when.
        public var moves: [(at: Int64, from: PeerAddress, to: PeerAddress)] = []
    }

    public static let secret = Array("test cluster secret, long enough".utf8)
    public var network: InMemoryNetwork
    public var brokers: [BrokerCore] = []
    public let brokerAddresses: [PeerAddress]
    public var alive: [Bool]
    /// Killed brokers whose host answers with ICMP port unreachable (`kill -9`); a hung one (SIGSTOP, a cut link)
    /// is silent.
    public var answersUnreachable: [Bool]
    public var producers: [Producer] = []
    public var clients: [Client] = []
    public internal(set) var now: Int64 = 0
    public let frameInterval: Int64
    public let frameSizes: ClosedRange<Int>
    public var mediaUntil: Int64
    public private(set) var sent: [StreamID: [UInt32: Simulation.SentFrame]] = [:]
    /// DATA datagrams that crossed from broker i to broker j (sent, before loss), and all datagrams between them.
    public private(set) var peerData: [[Int]]
    public private(set) var peerDatagrams: [[Int]]
    /// Of `peerData`, the datagrams resent after a NACK, and those sent from the join cache.
    public private(set) var peerResent: [[Int]]
    public private(set) var peerCached: [[Int]]
    public private(set) var events: [[BrokerEvent]]
    /// PEER_ANNOUNCE and PEER_INTEREST pages broker i sent to broker j (sent, before loss or a cut).
    public internal(set) var peerPages: [[Int]]
    /// Directed peer links cut (`from * brokers + to`): what a broker sends over one is lost.
    public internal(set) var cutLinks: Set<Int> = []
    /// Draining brokers (SIGTERM): when the drain ends at the latest, and when anything last came in.
    public internal(set) var drainUntil: [Int64?]
    var drainLastReceived: [Int64]
    /// Each broker's epoch (a restart gives it a new one), and its core's counters from before its last restart.
    public internal(set) var epochs: [UInt64]
    public internal(set) var pastCounters: [[BrokerCounters]]
    /// Stalled processes (a loaded host, SIGSTOP), by address: until when, and the datagrams that queued on their
    /// socket meanwhile (handed over first when the process runs again, as its driver reads them before judging).
    public internal(set) var stalledUntil: [PeerAddress: Int64] = [:]
    var held: [PeerAddress: [InMemoryNetwork.Packet]] = [:]
    private var rng: SplitMix64

    public init(brokers n: Int, conditions: InMemoryNetwork.Conditions, seed: UInt64, frameInterval: Int64 = 33_333,
                frameSizes: ClosedRange<Int> = 8_000...20_000, mediaUntil: Int64) {
        network = InMemoryNetwork(conditions: conditions, seed: seed)
        brokerAddresses = (0..<n).map { address(5000 + UInt16($0)) }
        alive = Array(repeating: true, count: n)
        answersUnreachable = alive.map { _ in false }
        self.frameInterval = frameInterval
        self.frameSizes = frameSizes
        self.mediaUntil = mediaUntil
        peerData = Array(repeating: Array(repeating: 0, count: n), count: n)
        peerDatagrams = peerData
        peerResent = peerData
        peerCached = peerData
        events = Array(repeating: [], count: n)
        peerPages = peerData
        drainUntil = Array(repeating: nil, count: n)
        drainLastReceived = Array(repeating: 0, count: n)
        epochs = (0..<n).map { 0x1000 + UInt64($0) * 0x0101_0101 }
        pastCounters = Array(repeating: [], count: n)
        rng = SplitMix64(seed: seed &+ 7)
        for i in 0..<n { brokers.append(Self.makeBroker(epoch: epochs[i], cookieKey: (seed, ~seed), peers: brokerAddresses, now: 0)) }
    }

    /// A cluster member that lists every broker, itself included (it must ignore itself).
    static func makeBroker(epoch: UInt64, cookieKey: (UInt64, UInt64), peers: [PeerAddress], now: Int64) -> BrokerCore {
        var b = BrokerCore(epoch: epoch, cookieKey: cookieKey, publishSecret: testPublishSecret, cluster: ClusterConfig(secret: Self.secret))
        b.setPeers(peers, now: now)
        return b
    }

    /// A video-only producer on broker `broker`.
    /// `failover`: the producer is given every broker (BROKER_ADDRESS with a list), starting on `broker` (pinned, where
    /// a real one starts on a random one, so the test knows which peers its kill strands).
    public func addProducer(_ id: ProducerID, broker: Int, startAt: Int64, failover: Bool = false) {
        let d = [StreamDescriptor(index: 1, kind: .video, rateMilli: UInt32(1_000_000_000 / frameInterval))]
        var p = Producer(
            session: ProducerSession(
                producer: id, streams: d, streamKey: testStreamKey(id), brokers: failover ? brokerAddresses : [], firstBroker: broker, seed: UInt64(id.rawValue)),
            id: id,
            address: address(6000 + UInt16(producers.count)), broker: broker)
        p.nextFrame = startAt
        producers.append(p)
        let i = producers.count - 1
        producers[i].session.connect(now: now)
        flushProducer(i)
    }

    /// `failover`: the client is given every broker (BROKER_ADDRESS with a list), starting on `broker`.
    public func addClient(broker: Int, selector: StreamID, startAt: Int64, failover: Bool = false) {
        let n = clients.count
        let session = ClientSession(brokers: failover ? brokerAddresses : [], firstBroker: broker, seed: 500 + UInt64(n))
        clients.append(Client(session: session, address: address(7000 + UInt16(n)), broker: broker, selector: selector, startAt: startAt))
    }

    /// Stops a broker: it neither receives nor sends from now on (a process killed, or a host cut off).
    /// `unreachable`: its host answers what is sent to it with ICMP port unreachable (a killed process on a live host).
    public func kill(broker i: Int, unreachable: Bool = false) {
        alive[i] = false
        answersUnreachable[i] = unreachable
    }

    /// Where producer `i` or client `i` sends now.
    private func producerBroker(_ i: Int) -> PeerAddress { producers[i].session.broker ?? brokerAddresses[producers[i].broker] }
    private func clientBroker(_ i: Int) -> PeerAddress { clients[i].session.broker ?? brokerAddresses[clients[i].broker] }

    // MARK: Running

    public func run(until end: Int64) {
        var same = 0
        while true {
            var next = network.nextDelivery ?? .max
            for (i, b) in brokers.enumerated() where alive[i] && !isStalled(brokerAddresses[i]) { next = min(next, b.pollTimeout(), drainEnd(i)) }
            for p in producers where !isStalled(p.address) {
                next = min(next, p.session.pollTimeout())
                if p.nextFrame < mediaUntil { next = min(next, p.nextFrame) }
            }
            for c in clients where !isStalled(c.address) { next = min(next, c.started ? min(c.session.pollTimeout(), c.retryAt) : c.startAt) }
            for t in stalledUntil.values { next = min(next, t) }
            guard next <= end else { break }
            if next <= now {
                same += 1
                if same > 10_000 {
                    XCTFail("the cluster simulation does not advance at \(now) µs")
                    return
                }
            } else {
                same = 0
                now = next
            }
            step()
        }
        now = max(now, end)
    }

    private func step() {
        resumeStalled()
        while let p = network.popDue(now: now) { deliver(p) }
        for i in brokers.indices where alive[i] && drainEnd(i) <= now { endDrain(i) }
        for i in producers.indices where !isStalled(producers[i].address) {
            if producers[i].nextFrame <= now && producers[i].nextFrame < mediaUntil {
                sendFrame(i)
                producers[i].nextFrame += frameInterval
            }
            if producers[i].session.pollTimeout() <= now {
                producers[i].session.handleTimeout(now: now)
                flushProducer(i)
            }
        }
        for i in brokers.indices where alive[i] && !isStalled(brokerAddresses[i]) && brokers[i].pollTimeout() <= now {
            brokers[i].handleTimeout(now: now)
            route(i)
        }
        for i in clients.indices where !isStalled(clients[i].address) {
            if !clients[i].started && clients[i].startAt <= now {
                clients[i].started = true
                clients[i].session.connect(now: now)
                flushClient(i)
            }
            if clients[i].retryAt <= now {
                clients[i].retryAt = .max
                subscribe(i)
            }
            if clients[i].started && clients[i].session.pollTimeout() <= now {
                clients[i].session.handleTimeout(now: now)
                flushClient(i)
            }
        }
    }

    func deliver(_ p: InMemoryNetwork.Packet) {
        if isStalled(p.to) {
            held[p.to, default: []].append(p)
            return
        }
        if let b = brokerAddresses.firstIndex(of: p.to) {
            guard alive[b] else { return unreachable(p) }
            guard admitWhileDraining(p.bytes, from: p.from, broker: b) else { return }
            brokers[b].handle(p.bytes, from: p.from, now: now)
            route(b)
        } else if let i = producers.firstIndex(where: { $0.address == p.to }) {
            // A failover peer's socket is connected to its broker: datagrams from any other address are dropped.
            guard producers[i].session.broker == nil || p.from == producerBroker(i) else { return }
            producers[i].session.handle(p.bytes, from: p.from, now: now)
            flushProducer(i)
        } else if let i = clients.firstIndex(where: { $0.address == p.to }), clients[i].started {
            guard clients[i].session.broker == nil || p.from == clientBroker(i) else { return }
            clients[i].session.handle(p.bytes, from: p.from, now: now)
            flushClient(i)
        }
    }

    /// A datagram reached a killed broker: if its host answers, the sender's connected socket reports it (at once:
    /// the ICMP's trip back is not modelled).
    private func unreachable(_ p: InMemoryNetwork.Packet) {
        guard let b = brokerAddresses.firstIndex(of: p.to), answersUnreachable[b] else { return }
        if let i = producers.firstIndex(where: { $0.address == p.from }), producers[i].session.broker == p.to {
            producers[i].session.unreachable(now: now)
            flushProducer(i)
        } else if let i = clients.firstIndex(where: { $0.address == p.from }), clients[i].session.broker == p.to {
            clients[i].session.unreachable(now: now)
            flushClient(i)
        }
    }

    private func send(_ bytes: [UInt8], from b: Int, to: PeerAddress) {
        if let j = brokerAddresses.firstIndex(of: to) {
            peerDatagrams[b][j] += 1
            if !DataHeader.isData(bytes), let t = try? Message.peekType(bytes[...]), t == .peerAnnounce || t == .peerInterest { peerPages[b][j] += 1 }
            if cutLinks.contains(b * brokers.count + j) { return }
            if DataHeader.isData(bytes), let h = try? DataHeader.parse(bytes[...]) {
                peerData[b][j] += 1
                if h.flags & DataHeader.retransmitFlag != 0 { peerResent[b][j] += 1 }
                if h.flags & DataHeader.cachedFlag != 0 { peerCached[b][j] += 1 }
            }
        }
        network.send(bytes, from: brokerAddresses[b], to: to, now: now)
    }

    func route(_ b: Int) {
        while let e = brokers[b].pollEvent() { events[b].append(e) }
        while let o = brokers[b].pollTransmit() {
            switch o {
            case .send(let to, let bytes): send(bytes, from: b, to: to)
            case .forward(let bytes, _, let subs): for s in subs { send(bytes, from: b, to: s.address) }
            case .unicast(let bytes, _, let s): send(bytes, from: b, to: s.address)
            case .release: break
            }
        }
    }

    private func sendFrame(_ i: Int) {
        let bytes = rng.bytes(rng.int(frameSizes))
        let id = StreamID(producer: producers[i].id, index: 1)
        sent[id, default: [:]][producers[i].number] = Simulation.SentFrame(bytes: bytes, time: now)
        producers[i].number &+= 1
        producers[i].session.send(frame: bytes, stream: 1, captureTime: UInt64(now), now: now)
        flushProducer(i)
    }

    private func flushProducer(_ i: Int) {
        while let d = producers[i].session.pollTransmit() { network.send(d, from: producers[i].address, to: producerBroker(i), now: now) }
        while producers[i].session.pollEvent() != nil {}
    }

    private func flushClient(_ i: Int) {
        while let d = clients[i].session.pollTransmit() { network.send(d, from: clients[i].address, to: clientBroker(i), now: now) }
        while let e = clients[i].session.pollEvent() {
            switch e {
            case .moved(let from, let to):
                clients[i].moves.append((now, from, to))
            case .connected:
                clients[i].connections += 1
                if !clients[i].subscribeRequested { subscribe(i) }
            case .frame(let f):
                let intact = sent[f.stream]?[f.number]?.bytes == f.bytes
                clients[i].frames.append(Simulation.ReceivedFrame(stream: f.stream, number: f.number, time: now, intact: intact))
            case .refused(.subscribe, _, _):
                clients[i].retryAt = now + 100_000  // the producer's announcement may not have reached this broker yet
            default:
                break
            }
        }
        if clients[i].subscribedAt == nil, clients[i].session.subscriptions.contains(clients[i].selector) { clients[i].subscribedAt = now }
        while let d = clients[i].session.pollTransmit() { network.send(d, from: clients[i].address, to: clientBroker(i), now: now) }
    }

    private func subscribe(_ i: Int) {
        clients[i].subscribeRequested = true
        clients[i].session.subscribe(clients[i].selector, now: now)
        flushClient(i)
    }

    // MARK: Results

    /// The frames of `stream` sent in `window`, and how many of them client `i` received intact.
    public func delivered(client i: Int, stream: StreamID, window: Range<Int64>) -> (delivered: Int, expected: Int) {
        let expected = (sent[stream] ?? [:]).filter { window.contains($0.value.time) }
        let got = Set(clients[i].frames.filter { $0.stream == stream && $0.intact }.map(\.number))
        return (expected.keys.filter { got.contains($0) }.count, expected.count)
    }
}
