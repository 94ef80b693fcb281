import BrokerCore
import ClientCore
import ProducerCore
import Wire
import XCTest

/// A tree of brokers (issue 24) on one `InMemoryNetwork` with a virtual clock: meshed cores, edges under them given
/// `setUpstreams`, edges under edges, producers and (many) clients on any of them. Built to scale to thousands of
/// clients: addresses map to entities through a dictionary, and a `WakeHeap` holds each entity's next timer, so a
/// step touches only what is due. Frames are small (one datagram each); each client keeps the numbers of the frames
/// it got intact. Broker-to-broker DATA is counted per receiving broker and stream (originals, resent, cached).
public final class TreeSimulation {
    public struct Broker {
        public var core: BrokerCore
        public let address: PeerAddress
        /// Indices of its upstreams (empty: a core of the mesh), in order of preference.
        public let upstreams: [Int]
        public var alive = true
        /// Killed with its host answering ICMP port unreachable (`kill -9`), or silent (a hung host).
        public var answersUnreachable = false
        var wake: Int64 = .max
    }

    public struct Producer {
        public var session: ProducerSession
        public let id: ProducerID
        public let address: PeerAddress
        public let brokers: [Int]
        public var nextFrame: Int64
        public var number: UInt32 = 1
        var wake: Int64 = .max
    }

    public struct Client {
        public var session: ClientSession
        public let address: PeerAddress
        /// Indices of the brokers it is given (BROKER_ADDRESS with a list), starting on the first.
        public let brokers: [Int]
        public let selector: StreamID
        public let startAt: Int64
        public var started = false
        public var subscribeRequested = false
        public var retryAt: Int64 = .max
        /// Frame numbers received intact, in order of arrival; and frames received corrupted.
        public var frames: [UInt32] = []
        public var corrupted = 0
        public var moves: [(at: Int64, from: PeerAddress, to: PeerAddress)] = []
        var wake: Int64 = .max
    }

    /// What crossed broker to broker: DATA datagrams sent (before loss) to a broker, per stream.
    public struct Received {
        public var originals = 0
        public var resent = 0
        public var cached = 0
        /// Originals of a sequence number this broker had been sent as an original already (by any broker).
        public var twice = 0
    }

    public static let secret = Array("test cluster secret, long enough".utf8)
    static let producerBase = 1 << 20
    static let clientBase = 2 << 20

    public var network: InMemoryNetwork
    public var brokers: [Broker] = []
    public var producers: [Producer] = []
    public var clients: [Client] = []
    public internal(set) var now: Int64 = 0
    public let frameInterval: Int64
    public let frameSizes: ClosedRange<Int>
    public var mediaUntil: Int64
    /// Per stream, per frame number: the bytes sent and when.
    public internal(set) var sent: [StreamID: [UInt32: Simulation.SentFrame]] = [:]
    /// DATA from other brokers, per receiving broker and stream.
    public internal(set) var received: [[StreamID: Received]] = []
    /// Per broker, the (stream, sequence) pairs it was sent as originals.
    var originalsSeen: [Set<UInt64>] = []
    /// Tree events per broker (upstream chosen, loops, links up and down); other events are only counted.
    public internal(set) var treeEvents: [[BrokerEvent]] = []
    public internal(set) var otherEvents = 0
    /// The scene's shape, when built by `scene(_:conditions:seed:mediaUntil:)`.
    public internal(set) var shape = Shape()
    var entities: [PeerAddress: Int] = [:]
    var heap = WakeHeap()
    var rng: SplitMix64
    let cookieKey: (UInt64, UInt64)

    public init(conditions: InMemoryNetwork.Conditions, seed: UInt64, frameInterval: Int64 = 100_000, frameSizes: ClosedRange<Int> = 200...1_000,
                mediaUntil: Int64) {
        network = InMemoryNetwork(conditions: conditions, seed: seed)
        self.frameInterval = frameInterval
        self.frameSizes = frameSizes
        self.mediaUntil = mediaUntil
        rng = SplitMix64(seed: seed &+ 7)
        cookieKey = (seed, ~seed)
    }

    static func brokerAddress(_ i: Int) -> PeerAddress { address(5000 + UInt16(i)) }
    static func clientAddress(_ i: Int) -> PeerAddress { PeerAddress(ipv4: 0x7f10_0000 + UInt32(i), port: 7000) }

    /// Adds `n` meshed cores (each given every core's address, itself included). Call before any edge.
    public func addCores(_ n: Int) {
        let addresses = (0..<n).map { Self.brokerAddress(brokers.count + $0) }
        for a in addresses {
            var core = makeCore(epoch: 0x1000 + UInt64(brokers.count) * 0x0101_0101)
            core.setPeers(addresses, now: now)
            addBroker(Broker(core: core, address: a, upstreams: []))
        }
    }

    /// Adds an edge whose upstreams are brokers `upstreams` (in that order); returns its index.
    @discardableResult
    public func addEdge(upstreams: [Int]) -> Int {
        var core = makeCore(epoch: 0x1000 + UInt64(brokers.count) * 0x0101_0101)
        core.setUpstreams(upstreams.map { brokers[$0].address }, now: now)
        addBroker(Broker(core: core, address: Self.brokerAddress(brokers.count), upstreams: upstreams))
        return brokers.count - 1
    }

    private func makeCore(epoch: UInt64) -> BrokerCore {
        BrokerCore(epoch: epoch, cookieKey: cookieKey, publishSecret: testPublishSecret, cluster: ClusterConfig(secret: Self.secret))
    }

    private func addBroker(_ b: Broker) {
        brokers.append(b)
        received.append([:])
        originalsSeen.append([])
        treeEvents.append([])
        entities[b.address] = brokers.count - 1
        reschedule(brokers.count - 1)
    }

    /// A video-only producer given `brokers` (it starts on the first, and moves along the list when one dies).
    public func addProducer(_ id: ProducerID, brokers list: [Int], startAt: Int64) {
        let d = [StreamDescriptor(index: 1, kind: .video, rateMilli: UInt32(1_000_000_000 / frameInterval))]
        let session = ProducerSession(
            producer: id, streams: d, streamKey: testStreamKey(id), brokers: list.map { brokers[$0].address }, firstBroker: 0, seed: UInt64(id.rawValue))
        let p = Producer(session: session, id: id, address: address(6000 + UInt16(producers.count)), brokers: list, nextFrame: startAt)
        producers.append(p)
        let i = producers.count - 1
        entities[p.address] = Self.producerBase + i
        producers[i].session.connect(now: now)
        flushProducer(i)
    }

    /// A client given `brokers` (starting on the first), watching `selector` from `startAt`.
    public func addClient(brokers list: [Int], selector: StreamID, startAt: Int64) {
        let n = clients.count
        let session = ClientSession(brokers: list.map { brokers[$0].address }, firstBroker: 0, seed: 500 + UInt64(n))
        clients.append(Client(session: session, address: Self.clientAddress(n), brokers: list, selector: selector, startAt: startAt))
        entities[clients[n].address] = Self.clientBase + n
        reschedule(Self.clientBase + n)
    }

    /// Stops a broker: it neither receives nor sends from now on. `unreachable`: its host answers with ICMP.
    public func kill(broker i: Int, unreachable: Bool = true) {
        brokers[i].alive = false
        brokers[i].answersUnreachable = unreachable
    }

    /// The broker client `i` or producer `i` uses now.
    public func clientBroker(_ i: Int) -> PeerAddress { clients[i].session.broker ?? brokers[clients[i].brokers[0]].address }
    public func producerBroker(_ i: Int) -> PeerAddress { producers[i].session.broker ?? brokers[producers[i].brokers[0]].address }
}
