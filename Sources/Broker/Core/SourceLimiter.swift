import Wire

/// Token buckets per source network (an IPv4 /24 or an IPv6 /64), so a flood from some addresses is held to a
/// rate of its own and cannot take the broker's time from the rest. Each bucket is one number, its theoretical
/// arrival time (GCRA, the cell-rate algorithm of ATM: the same as a token bucket of `burst` tokens refilled at
/// `perSecond`), and the table is bounded: when it is full, a bucket that has refilled completely (the same as
/// none) makes room, found by a clock hand that looks at a few entries; if none has, new sources share one
/// overflow bucket. Every operation is O(1).
public struct SourceLimiter: Sendable {
    /// The network a source address belongs to: IPv4 /24, IPv6 /64.
    struct Network: Hashable, Sendable {
        let isIPv6: Bool
        let bits: UInt64

        init(_ a: PeerAddress) {
            isIPv6 = a.isIPv6
            bits = a.isIPv6 ? a.high : a.low & 0xFFFF_FF00
        }
    }

    public let perSecond: Int
    public let burst: Int
    public let maxSources: Int
    /// The spacing of admissions at the sustained rate, µs.
    private let interval: Int64
    private var due: [Network: Int64] = [:]
    /// The networks in the table, in slot order, for the clock hand.
    private var slots: [Network] = []
    private var hand = 0
    private var overflowDue: Int64 = 0
    /// Admissions refused so far.
    public private(set) var dropped = 0
    /// Admissions decided by the shared overflow bucket (the table was full of busy sources).
    public private(set) var overflowed = 0

    public init(perSecond: Int, burst: Int, maxSources: Int) {
        precondition(perSecond > 0 && burst > 0 && maxSources > 0)
        self.perSecond = perSecond
        self.burst = burst
        self.maxSources = maxSources
        interval = max(1, 1_000_000 / Int64(perSecond))
    }

    /// Sources (networks) in the table.
    public var count: Int { due.count }

    /// True when a datagram from `source` may be acted on at `now`; false (counted) when its network is over
    /// its rate.
    public mutating func admit(_ source: PeerAddress, now: Int64) -> Bool {
        let net = Network(source)
        if let d = due[net] {
            guard let next = conform(d, now: now) else { return refuse() }
            due[net] = next
            return true
        }
        guard let next = conform(now, now: now) else { return refuse() }
        if due.count < maxSources {
            due[net] = next
            slots.append(net)
            return true
        }
        if let i = evictable(now: now) {
            due[slots[i]] = nil
            slots[i] = net
            due[net] = next
            return true
        }
        overflowed += 1
        guard let shared = conform(overflowDue, now: now) else { return refuse() }
        overflowDue = shared
        return true
    }

    /// The bucket's next theoretical arrival time after one more admission, or nil when that would exceed the
    /// burst.
    private func conform(_ d: Int64, now: Int64) -> Int64? {
        let start = max(d, now)
        guard start - now <= Int64(burst - 1) * interval else { return nil }
        return start + interval
    }

    private mutating func refuse() -> Bool {
        dropped += 1
        return false
    }

    /// A slot whose bucket is full again (its arrival time has passed), looking at most at 8 slots.
    private mutating func evictable(now: Int64) -> Int? {
        for _ in 0..<min(8, slots.count) {
            let i = hand
            hand = (hand + 1) % slots.count
            if due[slots[i]]! <= now { return i }
        }
        return nil
    }
}
