import XCTest

@testable import Wire

/// A datagram network in memory with a virtual clock: every datagram is lost, duplicated and delayed at
/// random (seeded), so later datagrams may overtake earlier ones. No sockets, no sleeping.
struct InMemoryNetwork {
    struct Conditions {
        /// Probability that a datagram is lost.
        var loss = 0.0
        /// Probability that a datagram arrives twice.
        var duplication = 0.0
        /// Every datagram takes this long...
        var baseDelay: Int64 = 5_000
        /// ...plus a uniform random extra delay below this, which reorders datagrams.
        var jitter: Int64 = 10_000
    }

    struct Packet {
        var time: Int64
        var order: Int
        var from: PeerAddress
        var to: PeerAddress
        var bytes: [UInt8]

        func before(_ other: Packet) -> Bool { (time, order) < (other.time, other.order) }
    }

    var conditions: Conditions
    private var rng: SplitMix64
    /// A binary min-heap on (time, order).
    private var heap: [Packet] = []
    private var order = 0
    private(set) var datagramsSent = 0
    private(set) var datagramsLost = 0
    private(set) var datagramsDuplicated = 0

    init(conditions: Conditions, seed: UInt64) {
        self.conditions = conditions
        rng = SplitMix64(seed: seed)
    }

    var nextDelivery: Int64? { heap.first?.time }
    var inFlight: Int { heap.count }

    /// Sees every datagram (time, from, to, bytes, "sent"/"LOST"/"delivered"): for finding out why a run failed.
    var trace: ((Int64, PeerAddress, PeerAddress, [UInt8], String) -> Void)?

    mutating func send(_ bytes: [UInt8], from: PeerAddress, to: PeerAddress, now: Int64) {
        datagramsSent += 1
        if rng.chance(conditions.loss) {
            datagramsLost += 1
            trace?(now, from, to, bytes, "LOST")
            return
        }
        trace?(now, from, to, bytes, "sent")
        let copies = rng.chance(conditions.duplication) ? 2 : 1
        if copies == 2 { datagramsDuplicated += 1 }
        for _ in 0..<copies {
            let extra = conditions.jitter > 0 ? Int64(rng.next() % UInt64(conditions.jitter)) : 0
            push(Packet(time: now + conditions.baseDelay + extra, order: order, from: from, to: to, bytes: bytes))
            order += 1
        }
    }

    /// The next datagram due at or before `now`, in delivery order.
    mutating func popDue(now: Int64) -> Packet? {
        guard let first = heap.first, first.time <= now else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var i = 0
            while true {
                let l = 2 * i + 1
                let r = l + 1
                var m = i
                if l < heap.count && heap[l].before(heap[m]) { m = l }
                if r < heap.count && heap[r].before(heap[m]) { m = r }
                if m == i { break }
                heap.swapAt(i, m)
                i = m
            }
        }
        return first
    }

    private mutating func push(_ p: Packet) {
        heap.append(p)
        var i = heap.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard heap[i].before(heap[parent]) else { break }
            heap.swapAt(i, parent)
            i = parent
        }
    }
}

/// One producer, one broker and some clients on an `InMemoryNetwork`. The producer sends seeded random frames
/// at fixed rates; clients connect at their start time and subscribe once their first session is up (the
/// test never subscribes them again: after a broker restart they must do it themselves).
final class Simulation {
    struct MediaStream {
        var index: UInt8
        var kind: StreamKind
        var interval: Int64
        var sizes: ClosedRange<Int>
    }

    struct SentFrame {
        var bytes: [UInt8]
        var time: Int64
    }

    struct ReceivedFrame {
        var stream: StreamID
        var number: UInt32
        var time: Int64
        /// Byte-identical to the frame the producer sent under this number.
        var intact: Bool
    }

    struct Client {
        var session: ClientSession
        let address: PeerAddress
        let selector: StreamID
        let startAt: Int64
        var started = false
        var subscribeRequested = false
        var subscribeRetryAt: Int64 = .max
        /// When the broker first acknowledged the subscription.
        var subscribedAt: Int64?
        var connections: [(time: Int64, fresh: Bool)] = []
        var frames: [ReceivedFrame] = []
        var statuses: [(time: Int64, stream: StreamID, state: StreamState)] = []
        var failedReplies: [String] = []
    }

    let brokerAddress = address(4000)
    let producerAddress = address(4001)
    var network: InMemoryNetwork
    var broker: BrokerCore
    var producer: ProducerSession
    var clients: [Client] = []
    private(set) var now: Int64 = 0
    let media: [MediaStream]
    private var nextMediaTime: [Int64]
    private var nextFrameNumber: [UInt32]
    /// Media is sent while the clock is below this.
    var mediaUntil: Int64
    private(set) var sent: [StreamID: [UInt32: SentFrame]] = [:]
    private(set) var producerEvents: [(time: Int64, event: LinkEvent)] = []
    private var frameRNG: SplitMix64
    private(set) var stalled = false

    init(conditions: InMemoryNetwork.Conditions, seed: UInt64, media: [MediaStream], mediaUntil: Int64, timers: Timers = Timers(), trace: ((Int64, PeerAddress, PeerAddress, [UInt8], String) -> Void)? = nil) {
        network = InMemoryNetwork(conditions: conditions, seed: seed)
        network.trace = trace
        broker = BrokerCore(timers: timers, epoch: 1, cookieKey: (seed, ~seed))
        producer = ProducerSession(
            producer: testProducer, streams: media.map { StreamDescriptor(index: $0.index, kind: $0.kind, rateMilli: UInt32(1_000_000_000 / $0.interval)) },
            timers: timers, seed: seed &+ 1)
        self.media = media
        nextMediaTime = media.map { _ in 0 }
        nextFrameNumber = media.map { _ in 1 }
        self.mediaUntil = mediaUntil
        frameRNG = SplitMix64(seed: seed &+ 2)
        send(producer.start(now: 0), from: producerAddress, to: brokerAddress)
    }

    /// Adds a client that connects at `startAt` and then subscribes to `selector`.
    func addClient(selector: StreamID, startAt: Int64, timers: Timers = Timers()) {
        let n = clients.count
        clients.append(
            Client(session: ClientSession(timers: timers, seed: 100 + UInt64(n)), address: address(4002 + UInt16(n)), selector: selector, startAt: startAt))
    }

    /// Replaces the broker by a new one that knows nothing (a restart): a new epoch and a new cookie key.
    func restartBroker(epoch: UInt64) {
        broker = BrokerCore(timers: broker.timers, limits: broker.limits, epoch: epoch, cookieKey: (epoch &* 31, epoch &* 17))
    }

    // MARK: Running

    /// Advances the virtual clock to `end`, stepping from event to event.
    func run(until end: Int64) {
        var sameTime = 0
        while !stalled {
            var next = network.nextDelivery ?? .max
            next = min(next, producer.deadline, broker.deadline)
            for i in media.indices where nextMediaTime[i] < mediaUntil { next = min(next, nextMediaTime[i]) }
            for c in clients {
                next = min(next, c.started ? min(c.session.deadline, c.subscribeRetryAt) : c.startAt)
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
                send(clients[i].session.start(now: now), from: clients[i].address, to: brokerAddress)
            }
            if clients[i].subscribeRetryAt <= now {
                clients[i].subscribeRetryAt = .max
                subscribe(i)
            }
        }
        if producer.deadline <= now { sendFromProducer(producer.poll(now: now)) }
        if broker.deadline <= now {
            broker.poll(now: now)
            routeBrokerOutput()
        }
        for i in clients.indices where clients[i].started && clients[i].session.deadline <= now {
            send(clients[i].session.poll(now: now), from: clients[i].address, to: brokerAddress)
            takeClientEvents(i)
        }
    }

    private func send(_ datagrams: [[UInt8]], from: PeerAddress, to: PeerAddress) {
        for d in datagrams { network.send(d, from: from, to: to, now: now) }
    }

    private func sendFrame(_ i: Int) {
        let m = media[i]
        let id = StreamID(producer: testProducer, index: m.index)
        let bytes = frameRNG.bytes(frameRNG.int(m.sizes))
        let number = nextFrameNumber[i]
        nextFrameNumber[i] &+= 1
        sent[id, default: [:]][number] = SentFrame(bytes: bytes, time: now)
        let datagrams = producer.send(frame: bytes, stream: m.index, captureTime: UInt64(now), now: now)
        if let first = datagrams.first { XCTAssertEqual(header(first)?.frameNumber, number, "frame numbering") }
        send(datagrams, from: producerAddress, to: brokerAddress)
    }

    private func sendFromProducer(_ datagrams: [[UInt8]]) {
        send(datagrams, from: producerAddress, to: brokerAddress)
        for e in producer.takeEvents() { producerEvents.append((now, e)) }
    }

    private func deliver(_ p: InMemoryNetwork.Packet) {
        if p.to == brokerAddress {
            broker.receive(p.bytes, from: p.from, now: now)
            routeBrokerOutput()
        } else if p.to == producerAddress {
            sendFromProducer(producer.receive(p.bytes[...], now: now))
        } else if let i = clients.firstIndex(where: { $0.address == p.to }), clients[i].started {
            send(clients[i].session.receive(p.bytes[...], now: now), from: clients[i].address, to: brokerAddress)
            takeClientEvents(i)
        }
    }

    private func routeBrokerOutput() {
        for o in broker.takeOutbox() {
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
        send(clients[i].session.subscribe(clients[i].selector, now: now), from: clients[i].address, to: brokerAddress)
        takeClientEvents(i)
    }

    private func takeClientEvents(_ i: Int) {
        for e in clients[i].session.takeEvents() {
            switch e {
            case .connected(let fresh):
                clients[i].connections.append((now, fresh))
                if !clients[i].subscribeRequested { subscribe(i) }
            case .frame(let f):
                let intact = sent[f.stream]?[f.number]?.bytes == f.bytes
                clients[i].frames.append(ReceivedFrame(stream: f.stream, number: f.number, time: now, intact: intact))
            case .streamStatus(let id, let state):
                clients[i].statuses.append((now, id, state))
            case .reply(let ok, let text):
                guard !ok else { break }
                clients[i].failedReplies.append(text)
                // The producer may not be known to the broker yet: ask again a little later.
                if text.hasPrefix("cannot subscribe") { clients[i].subscribeRetryAt = now + 100_000 }
            case .brokerLost, .brokerLeaving, .list:
                break
            }
        }
        if clients[i].subscribedAt == nil, clients[i].session.subscriptions.contains(clients[i].selector) {
            clients[i].subscribedAt = now
        }
    }

    // MARK: Results

    /// Frames of `stream` sent in `window`.
    func sentFrames(_ stream: StreamID, in window: Range<Int64>) -> [UInt32: SentFrame] {
        (sent[stream] ?? [:]).filter { window.contains($0.value.time) }
    }

    /// The share of the frames of `stream` sent in `window` that client `i` received intact.
    func deliveredRatio(client i: Int, stream: StreamID, window: Range<Int64>) -> (delivered: Int, expected: Int) {
        let expected = sentFrames(stream, in: window)
        let got = Set(clients[i].frames.filter { $0.stream == stream && $0.intact }.map(\.number))
        return (expected.keys.filter { got.contains($0) }.count, expected.count)
    }
}
