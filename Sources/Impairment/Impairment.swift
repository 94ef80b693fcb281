import Wire

/// What a lossy link does to datagrams: loses, duplicates and delays them at random (seeded), so later datagrams
/// can overtake earlier ones. Pure: it only decides; the in-memory test network and `lossy-relay` carry the
/// decision out (one in virtual time, one on real sockets), so both impair traffic by the same rules.
public struct Impairment: Sendable {
    /// The link's behaviour.
    public struct Conditions: Sendable {
        /// Probability that a datagram is lost.
        public var loss = 0.0
        /// Probability that a datagram arrives twice.
        public var duplication = 0.0
        /// Probability that a copy is held back by a uniform random delay below `jitter` (1: every copy).
        public var reorder = 1.0
        /// Every copy takes this long (µs)...
        public var baseDelay: Int64 = 0
        /// ...plus, when held back, a uniform random extra delay below this (µs).
        public var jitter: Int64 = 0
        /// Lose only DATA and NACK datagrams (control always passes).
        public var dataOnly = false
        public init(
            loss: Double = 0, duplication: Double = 0, reorder: Double = 1, baseDelay: Int64 = 0, jitter: Int64 = 0,
            dataOnly: Bool = false
        ) {
            self.loss = loss
            self.duplication = duplication
            self.reorder = reorder
            self.baseDelay = baseDelay
            self.jitter = jitter
            self.dataOnly = dataOnly
        }
    }

    /// What happened to one datagram: the delay of each copy that goes out (none when it was lost).
    public struct Decision: Sendable, Equatable {
        public var delays: [Int64]
        public var lost: Bool { delays.isEmpty }
        public var duplicated: Bool { delays.count > 1 }
    }

    public var conditions: Conditions
    private var rng: SplitMix64
    public private(set) var seen = 0
    public private(set) var lost = 0
    public private(set) var duplicated = 0
    public private(set) var delayed = 0

    public init(conditions: Conditions, seed: UInt64) {
        self.conditions = conditions
        rng = SplitMix64(seed: seed)
    }

    /// Decides the fate of one datagram.
    public mutating func decide(_ bytes: [UInt8]) -> Decision {
        seen += 1
        if losable(bytes) && chance(conditions.loss) {
            lost += 1
            return Decision(delays: [])
        }
        let copies = chance(conditions.duplication) ? 2 : 1
        if copies == 2 { duplicated += 1 }
        var delays: [Int64] = []
        for _ in 0..<copies { delays.append(conditions.baseDelay + extraDelay()) }
        return Decision(delays: delays)
    }

    private func losable(_ bytes: [UInt8]) -> Bool {
        guard conditions.dataOnly else { return true }
        let type = DataHeader.claimedType(bytes)
        return type == .data || type == .nack
    }

    private mutating func extraDelay() -> Int64 {
        // A reorder probability of 1 draws nothing for it, so a seeded run draws the same numbers as before.
        guard conditions.reorder >= 1 || chance(conditions.reorder) else { return 0 }
        guard conditions.jitter > 0 else { return 0 }
        if conditions.reorder < 1 { delayed += 1 }
        return Int64(rng.next() % UInt64(conditions.jitter))
    }

    private mutating func chance(_ p: Double) -> Bool { p > 0 && Double(rng.next() >> 11) / Double(1 << 53) < p }
}
