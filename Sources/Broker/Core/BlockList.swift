import Wire

/// The operator's decisions on producer ids, shared by every broker of a cluster (PEER_BLOCKS) and kept in the
/// state file: one entry per id, blocked or not (an unblock is remembered too, so that an older block arriving late
/// cannot bring the id back). The entry with the higher stamp wins, so the brokers agree whatever order decisions
/// reach them in; an operator's new decision takes a stamp above every one seen.
public struct BlockList: Sendable {
    /// Producer ids blocked at once, at most (a block list is typed by hand; this bounds a script gone wrong).
    public static let maxBlocked = 1024
    /// Unblocked ids remembered at most; beyond it the oldest is forgotten (a stale block of it could then return).
    public static let maxUnblocked = 1024

    /// What applying a decision changed here.
    public enum Change: Equatable, Sendable {
        case blocked
        case unblocked
        /// The id's state is the same (an older decision, a repeat, or a newer one with the same outcome).
        case none
        /// A block beyond `maxBlocked`: not taken.
        case full
    }

    public private(set) var entries: [ProducerID: PeerBlockEntry] = [:]
    /// Grows with every change of an entry: the broker writes its state file when it moves.
    public private(set) var revision = 0
    /// The deciding broker's origin tag (the low 24 bits of its stamps).
    let origin: UInt32
    /// The highest logical time seen in any stamp.
    private var clock: UInt64 = 0

    public init(origin: UInt32) { self.origin = origin & 0xFF_FFFF }

    /// The ids blocked now.
    public var blocked: Set<ProducerID> { Set(entries.values.filter(\.blocked).map(\.producer)) }

    public func isBlocked(_ p: ProducerID) -> Bool { entries[p]?.blocked == true }

    /// Every entry, by producer id (for peers and the state file).
    public var all: [PeerBlockEntry] { entries.values.sorted { $0.producer < $1.producer } }

    /// The operator's decision here: a new entry stamped above everything seen, or nil when the limit refuses it.
    public mutating func decide(_ p: ProducerID, blocked: Bool) -> PeerBlockEntry? {
        let e = PeerBlockEntry(producer: p, blocked: blocked, stamp: (clock + 1) << 24 | UInt64(origin))
        return apply(e) == .full ? nil : e
    }

    /// Applies a decision made here or at another broker (or read back from the state file).
    @discardableResult
    public mutating func apply(_ e: PeerBlockEntry) -> Change {
        // The logical time saturates at the top of its 40 bits (only a holder of the cluster key could get there).
        clock = max(clock, min(e.stamp >> 24, (1 << 40) - 2))
        let old = entries[e.producer]
        guard old.map({ e.stamp > $0.stamp }) ?? true else { return .none }
        if e.blocked && old?.blocked != true && blocked.count >= Self.maxBlocked { return .full }
        entries[e.producer] = e
        revision += 1
        if !e.blocked { forgetOldUnblocked() }
        if e.blocked == (old?.blocked ?? false) { return .none }
        return e.blocked ? .blocked : .unblocked
    }

    private mutating func forgetOldUnblocked() {
        let unblocked = entries.values.filter { !$0.blocked }
        guard unblocked.count > Self.maxUnblocked else { return }
        for e in unblocked.sorted(by: { $0.stamp < $1.stamp }).prefix(unblocked.count - Self.maxUnblocked) { entries[e.producer] = nil }
    }
}
