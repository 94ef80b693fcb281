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
    }

    public static let secret = Array("test cluster secret, long enough".utf8)
    public var network: InMemoryNetwork
    public var brokers: [BrokerCore] = []
    public let brokerAddresses: [PeerAddress]
    public var alive: [Bool]
    public var producers: [Producer] = []
    public var clients: [Client] = []
    public private(set) var now: Int64 = 0
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
    private var rng: SplitMix64

    public init(brokers n: Int, conditions: InMemoryNetwork.Conditions, seed: UInt64, frameInterval: Int64 = 33_333,
                frameSizes: ClosedRange<Int> = 8_000...20_000, mediaUntil: Int64) {
        network = InMemoryNetwork(conditions: conditions, seed: seed)
        brokerAddresses = (0..<n).map { address(5000 + UInt16($0)) }
        alive = Array(repeating: true, count: n)
        self.frameInterval = frameInterval
        self.frameSizes = frameSizes
        self.mediaUntil = mediaUntil
        peerData = Array(repeating: Array(repeating: 0, count: n), count: n)
        peerDatagrams = peerData
        peerResent = peerData
        peerCached = peerData
        events = Array(repeating: [], count: n)
        rng = SplitMix64(seed: seed &+ 7)
        for i in 0..<n {
            var b = BrokerCore(
                epoch: 0x1000 + UInt64(i) * 0x0101_0101, cookieKey: (seed, ~seed), publishSecret: testPublishSecret,
                cluster: ClusterConfig(secret: Self.secret))
            b.setPeers(brokerAddresses, now: 0)  // every broker lists all, itself included (it must ignore itself)
            brokers.append(b)
        }
    }

    /// A video-only producer on broker `broker`.
    public func addProducer(_ id: ProducerID, broker: Int, startAt: Int64) {
        let d = [StreamDescriptor(index: 1, kind: .video, rateMilli: UInt32(1_000_000_000 / frameInterval))]
        var p = Producer(
            session: ProducerSession(producer: id, streams: d, streamKey: testStreamKey(id), seed: UInt64(id.rawValue)), id: id,
            address: address(6000 + UInt16(producers.count)), broker: broker)
        p.nextFrame = startAt
        producers.append(p)
        let i = producers.count - 1
        producers[i].session.connect(now: now)
        flushProducer(i)
    }

    public func addClient(broker: Int, selector: StreamID, startAt: Int64) {
        let n = clients.count
        clients.append(
            Client(session: ClientSession(seed: 500 + UInt64(n)), address: address(7000 + UInt16(n)), broker: broker, selector: selector, startAt: startAt))
    }

    /// Stops a broker: it neither receives nor sends from now on (a process killed, or a host cut off).
    public func kill(broker i: Int) { alive[i] = false }

    // MARK: Running

    public func run(until end: Int64) {
        var same = 0
        while true {
            var next = network.nextDelivery ?? .max
            for (i, b) in brokers.enumerated() where alive[i] { next = min(next, b.pollTimeout()) }
            for p in producers {
                next = min(next, p.session.pollTimeout())
                if p.nextFrame < mediaUntil { next = min(next, p.nextFrame) }
            }
            for c in clients { next = min(next, c.started ? min(c.session.pollTimeout(), c.retryAt) : c.startAt) }
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
        while let p = network.popDue(now: now) { deliver(p) }
        for i in producers.indices {
            if producers[i].nextFrame <= now && producers[i].nextFrame < mediaUntil {
                sendFrame(i)
                producers[i].nextFrame += frameInterval
            }
            if producers[i].session.pollTimeout() <= now {
                producers[i].session.handleTimeout(now: now)
                flushProducer(i)
            }
        }
        for i in brokers.indices where alive[i] && brokers[i].pollTimeout() <= now {
            brokers[i].handleTimeout(now: now)
            route(i)
        }
        for i in clients.indices {
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

    private func deliver(_ p: InMemoryNetwork.Packet) {
        if let b = brokerAddresses.firstIndex(of: p.to) {
            guard alive[b] else { return }
            brokers[b].handle(p.bytes, from: p.from, now: now)
            route(b)
        } else if let i = producers.firstIndex(where: { $0.address == p.to }) {
            producers[i].session.handle(p.bytes, from: p.from, now: now)
            flushProducer(i)
        } else if let i = clients.firstIndex(where: { $0.address == p.to }), clients[i].started {
            clients[i].session.handle(p.bytes, from: p.from, now: now)
            flushClient(i)
        }
    }

    private func send(_ bytes: [UInt8], from b: Int, to: PeerAddress) {
        if let j = brokerAddresses.firstIndex(of: to) {
            peerDatagrams[b][j] += 1
            if DataHeader.isData(bytes), let h = try? DataHeader.parse(bytes[...]) {
                peerData[b][j] += 1
                if h.flags & DataHeader.retransmitFlag != 0 { peerResent[b][j] += 1 }
                if h.flags & DataHeader.cachedFlag != 0 { peerCached[b][j] += 1 }
            }
        }
        network.send(bytes, from: brokerAddresses[b], to: to, now: now)
    }

    private func route(_ b: Int) {
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
        let to = brokerAddresses[producers[i].broker]
        while let d = producers[i].session.pollTransmit() { network.send(d, from: producers[i].address, to: to, now: now) }
        while producers[i].session.pollEvent() != nil {}
    }

    private func flushClient(_ i: Int) {
        let to = brokerAddresses[clients[i].broker]
        while let d = clients[i].session.pollTransmit() { network.send(d, from: clients[i].address, to: to, now: now) }
        while let e = clients[i].session.pollEvent() {
            switch e {
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
        while let d = clients[i].session.pollTransmit() { network.send(d, from: clients[i].address, to: to, now: now) }
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
