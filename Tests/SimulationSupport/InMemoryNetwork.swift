import Impairment
import Wire

/// A datagram network in memory with a virtual clock: every datagram is lost, duplicated and delayed at
/// random (seeded), so later datagrams may overtake earlier ones. No sockets, no sleeping.
public struct InMemoryNetwork {
    public struct Conditions {
        /// Probability that a datagram is lost.
        public var loss = 0.0
        /// Probability that a datagram arrives twice.
        public var duplication = 0.0
        /// Every datagram takes this long...
        public var baseDelay: Int64 = 5_000
        /// ...plus a uniform random extra delay below this, which reorders datagrams.
        public var jitter: Int64 = 10_000
        public init(loss: Double = 0, duplication: Double = 0, baseDelay: Int64 = 5_000, jitter: Int64 = 10_000) {
            self.loss = loss
            self.duplication = duplication
            self.baseDelay = baseDelay
            self.jitter = jitter
        }
    }

    public struct Packet: HeapOrdered {
        public var time: Int64
        public var order: Int
        public var from: PeerAddress
        public var to: PeerAddress
        public var bytes: [UInt8]

        public func before(_ other: Packet) -> Bool { (time, order) < (other.time, other.order) }
    }

    public let conditions: Conditions
    /// The same rules `lossy-relay` applies on real sockets.
    private var impairment: Impairment
    /// Datagrams in flight, by (time, order).
    private var heap = MinHeap<Packet>()
    private var order = 0
    public private(set) var datagramsSent = 0
    public private(set) var datagramsLost = 0
    public private(set) var datagramsDuplicated = 0

    public init(conditions: Conditions, seed: UInt64) {
        self.conditions = conditions
        impairment = Impairment(
            conditions: Impairment.Conditions(
                loss: conditions.loss, duplication: conditions.duplication, baseDelay: conditions.baseDelay, jitter: conditions.jitter),
            seed: seed)
    }

    public var nextDelivery: Int64? { heap.first?.time }
    public var inFlight: Int { heap.count }

    /// Sees every datagram (time, from, to, bytes, "sent"/"LOST"/"delivered"): for finding out why a run failed.
    public var trace: ((Int64, PeerAddress, PeerAddress, [UInt8], String) -> Void)?

    public mutating func send(_ bytes: [UInt8], from: PeerAddress, to: PeerAddress, now: Int64) {
        datagramsSent += 1
        let decision = impairment.decide(bytes)
        if decision.lost {
            datagramsLost += 1
            trace?(now, from, to, bytes, "LOST")
            return
        }
        trace?(now, from, to, bytes, "sent")
        if decision.duplicated { datagramsDuplicated += 1 }
        for delay in decision.delays {
            push(Packet(time: now + delay, order: order, from: from, to: to, bytes: bytes))
            order += 1
        }
    }

    /// The next datagram due at or before `now`, in delivery order.
    public mutating func popDue(now: Int64) -> Packet? {
        guard let first = heap.first, first.time <= now else { return nil }
        return heap.pop()
    }

    private mutating func push(_ p: Packet) { heap.push(p) }
}
