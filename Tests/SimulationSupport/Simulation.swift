import BrokerCore
import ClientCore
import ProducerCore
import Wire
import XCTest

/// One producer, one broker and some clients on an `InMemoryNetwork`. The producer sends seeded random frames
/// at fixed rates; clients connect at their start time and subscribe once their first session is up (the
/// test never subscribes them again: after a broker restart they must do it themselves).
public final class Simulation {
    public struct MediaStream: Sendable {
        public var index: UInt8
        public var kind: StreamKind
        public var interval: Int64
        public var sizes: ClosedRange<Int>
        public init(index: UInt8, kind: StreamKind, interval: Int64, sizes: ClosedRange<Int>) {
            self.index = index
            self.kind = kind
            self.interval = interval
            self.sizes = sizes
        }
    }

    /// A 30 fps video stream of about 20 KB frames and a 10 fps audio stream of one to three chunks.
    public static let standardMedia = [
        MediaStream(index: 1, kind: .video, interval: 33_333, sizes: 15_000...25_000),
        MediaStream(index: 2, kind: .audio, interval: 100_000, sizes: 500...3_000),
    ]

    public struct SentFrame {
        public var bytes: [UInt8]
        public var time: Int64
    }

    public struct ReceivedFrame {
        public var stream: StreamID
        public var number: UInt32
        public var time: Int64
        /// Byte-identical to the frame the producer sent under this number.
        public var intact: Bool
    }

    public struct Client {
        public var session: ClientSession
        public let address: PeerAddress
        public let selector: StreamID
        public let startAt: Int64
        public var started = false
        public var subscribeRequested = false
        public var subscribeRetryAt: Int64 = .max
        /// When the broker first acknowledged the subscription.
        public var subscribedAt: Int64?
        public var connections: [(time: Int64, fresh: Bool)] = []
        public var frames: [ReceivedFrame] = []
        public var statuses: [(time: Int64, stream: StreamID, state: StreamState)] = []
        public var failedReplies: [String] = []
    }

    public let brokerAddress = address(4000)
    public let producerAddress = address(4001)
    public var network: InMemoryNetwork
    public var broker: BrokerCore
    public var producer: ProducerSession
    public var clients: [Client] = []
    public private(set) var now: Int64 = 0
    public let media: [MediaStream]
    private var nextMediaTime: [Int64]
    private var nextFrameNumber: [UInt32]
    /// Media is sent while the clock is below this.
    public var mediaUntil: Int64
    public private(set) var sent: [StreamID: [UInt32: SentFrame]] = [:]
    public private(set) var producerEvents: [(time: Int64, event: LinkEvent)] = []
    public private(set) var brokerEvents: [(time: Int64, event: BrokerEvent)] = []
    private var frameRNG: SplitMix64
    public private(set) var stalled = false

    public init(
        conditions: InMemoryNetwork.Conditions, seed: UInt64, media: [MediaStream], mediaUntil: Int64, timers: Timers = Timers(),
        trace: ((Int64, PeerAddress, PeerAddress, [UInt8], String) -> Void)? = nil
    ) {
        network = InMemoryNetwork(conditions: conditions, seed: seed)
        network.trace = trace
        broker = BrokerCore(timers: timers, epoch: 1, cookieKey: (seed, ~seed), publishSecret: testPublishSecret)
        producer = ProducerSession(
            producer: testProducer,
            streams: media.map { StreamDescriptor(index: $0.index, kind: $0.kind, rateMilli: UInt32(1_000_000_000 / $0.interval)) },
            streamKey: testStreamKey(), timers: timers, seed: seed &+ 1)
        self.media = media
        nextMediaTime = media.map { _ in 0 }
        nextFrameNumber = media.map { _ in 1 }
        self.mediaUntil = mediaUntil
        frameRNG = SplitMix64(seed: seed &+ 2)
        producer.connect(now: 0)
        sendFromProducer()
    }

    /// Adds a client that connects at `startAt` and then subscribes to `selector`.
    public func addClient(selector: StreamID, startAt: Int64, timers: Timers = Timers()) {
        let n = clients.count
        clients.append(
            Client(
                session: ClientSession(timers: timers, seed: 100 + UInt64(n)), address: address(4002 + UInt16(n)), selector: selector,
                startAt: startAt))
    }

    /// Replaces the broker by a new one that knows nothing (a restart): a new epoch and a new cookie key.
    public func restartBroker(epoch: UInt64) {
        broker = BrokerCore(timers: broker.timers, limits: broker.limits, epoch: epoch, cookieKey: (epoch &* 31, epoch &* 17), publishSecret: testPublishSecret)
    }

    // MARK: Running

    /// Advances the virtual clock to `end`, stepping from event to event.
    public func run(until end: Int64) {
        var sameTime = 0
        while !stalled {
            var next = network.nextDelivery ?? .max
            next = min(next, producer.pollTimeout(), broker.pollTimeout())
            for i in media.indices where nextMediaTime[i] < mediaUntil { next = min(next, nextMediaTime[i]) }
            for c in clients {
                next = min(next, c.started ? min(c.session.pollTimeout(), c.subscribeRetryAt) : c.startAt)
            }
            guard next <= end else { break }
            if next <= now {
                sameTime += 1
                if sameTime > 10_000 {
                    XCTFail("the simulation does not advance at \(now) µs: a deadline that poll does not clear")
                    stalled = true
                }
            } else {
                sameTime = 0
                now = next
            }
            step()
        }
        now = max(now, end)
    }

    private func step() {
        while let p = network.popDue(now: now) {
            network.trace?(now, p.from, p.to, p.bytes, "delivered")
            deliver(p)
        }
        for i in media.indices where nextMediaTime[i] <= now && nextMediaTime[i] < mediaUntil {
            sendFrame(i)
            nextMediaTime[i] += media[i].interval
        }
        for i in clients.indices {
            if !clients[i].started {
                guard clients[i].startAt <= now else { continue }
                clients[i].started = true
                clients[i].session.connect(now: now)
                sendFromClient(i)
            }
            if clients[i].subscribeRetryAt <= now {
                clients[i].subscribeRetryAt = .max
                subscribe(i)
            }
        }
        if producer.pollTimeout() <= now {
            producer.handleTimeout(now: now)
            sendFromProducer()
        }
        if broker.pollTimeout() <= now {
            broker.handleTimeout(now: now)
            routeBrokerOutput()
        }
        for i in clients.indices where clients[i].started && clients[i].session.pollTimeout() <= now {
            clients[i].session.handleTimeout(now: now)
            sendFromClient(i)
            takeClientEvents(i)
        }
    }

    private func sendFromClient(_ i: Int) {
        while let d = clients[i].session.pollTransmit() { network.send(d, from: clients[i].address, to: brokerAddress, now: now) }
    }

    private func sendFrame(_ i: Int) {
        let m = media[i]
        let id = StreamID(producer: testProducer, index: m.index)
        let bytes = frameRNG.bytes(frameRNG.int(m.sizes))
        let number = nextFrameNumber[i]
        nextFrameNumber[i] &+= 1
        sent[id, default: [:]][number] = SentFrame(bytes: bytes, time: now)
        producer.send(frame: bytes, stream: m.index, captureTime: UInt64(now), now: now)
        let datagrams = producer.drainTransmits()
        if let first = datagrams.first { XCTAssertEqual(header(first)?.frameNumber, number, "frame numbering") }
        for d in datagrams { network.send(d, from: producerAddress, to: brokerAddress, now: now) }
    }

    private func sendFromProducer() {
        while let d = producer.pollTransmit() { network.send(d, from: producerAddress, to: brokerAddress, now: now) }
        while let e = producer.pollEvent() { producerEvents.append((now, e)) }
    }

    private func deliver(_ p: InMemoryNetwork.Packet) {
        if p.to == brokerAddress {
            broker.handle(p.bytes, from: p.from, now: now)
            routeBrokerOutput()
        } else if p.to == producerAddress {
            producer.handle(p.bytes, from: p.from, now: now)
            sendFromProducer()
        } else if let i = clients.firstIndex(where: { $0.address == p.to }), clients[i].started {
            clients[i].session.handle(p.bytes, from: p.from, now: now)
            sendFromClient(i)
            takeClientEvents(i)
        }
    }

    private func routeBrokerOutput() {
        while let e = broker.pollEvent() { brokerEvents.append((now, e)) }
        while let o = broker.pollTransmit() {
            switch o {
            case .send(let to, let bytes):
                network.send(bytes, from: brokerAddress, to: to, now: now)
            case .forward(let bytes, _, let subscribers):
                for s in subscribers { network.send(bytes, from: brokerAddress, to: s.address, now: now) }
            case .unicast(let bytes, _, let s):
                network.send(bytes, from: brokerAddress, to: s.address, now: now)
            case .release:
                break
            }
        }
    }

    private func subscribe(_ i: Int) {
        clients[i].subscribeRequested = true
        clients[i].session.subscribe(clients[i].selector, now: now)
        sendFromClient(i)
        takeClientEvents(i)
    }

    private func takeClientEvents(_ i: Int) {
        while let e = clients[i].session.pollEvent() {
            switch e {
            case .connected(let fresh):
                clients[i].connections.append((now, fresh))
                if !clients[i].subscribeRequested { subscribe(i) }
            case .frame(let f):
                let intact = sent[f.stream]?[f.number]?.bytes == f.bytes
                clients[i].frames.append(ReceivedFrame(stream: f.stream, number: f.number, time: now, intact: intact))
            case .streamStatus(let id, let state):
                clients[i].statuses.append((now, id, state))
            case .refused(.subscribe, _, _):
                clients[i].failedReplies.append(String(describing: e))
                // The producer may not be known to the broker yet: ask again a little later.
                clients[i].subscribeRetryAt = now + 100_000
            case .refused, .tooManySubscriptions, .sessionRefused, .noAnswerYet, .notSubscribed:
                clients[i].failedReplies.append(String(describing: e))
            case .brokerLost, .brokerLeaving, .disconnected, .list, .subscribed, .waiting, .alreadySubscribed, .unsubscribed:
                break
            }
        }
        if clients[i].subscribedAt == nil, clients[i].session.subscriptions.contains(clients[i].selector) {
            clients[i].subscribedAt = now
        }
    }

    // MARK: Results

    /// Frames of `stream` sent in `window`.
    public func sentFrames(_ stream: StreamID, in window: Range<Int64>) -> [UInt32: SentFrame] {
        (sent[stream] ?? [:]).filter { window.contains($0.value.time) }
    }

    /// The share of the frames of `stream` sent in `window` that client `i` received intact.
    public func deliveredRatio(client i: Int, stream: StreamID, window: Range<Int64>) -> (delivered: Int, expected: Int) {
        let expected = sentFrames(stream, in: window)
        let got = Set(clients[i].frames.filter { $0.stream == stream && $0.intact }.map(\.number))
        return (expected.keys.filter { got.contains($0) }.count, expected.count)
    }
}
