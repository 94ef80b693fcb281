/// Notices when a peer's own process was stalled: descheduled on a loaded host, stopped, swapped out. A core is
/// called at its own deadline (`pollTimeout`) or earlier, when a datagram comes; a call that comes later than that
/// deadline by more than `Timers.stallTolerance` means the process could neither hear nor probe its broker for that
/// long. Such a gap is the peer's silence, not the broker's, so the core does not count it against the broker
/// (`BrokerLink.forgive`): a loaded host must not make anyone leave a live broker.
public struct StallWatch: Sendable {
    private var lastTurn: Int64?
    /// Stalls noticed, and the longest (µs).
    public private(set) var stalls = 0
    public private(set) var longest: Int64 = 0
    /// The latest wake-up seen within the last `loadWindow` (µs past the deadline, stalls included): how loaded
    /// the host is now. A quiet host wakes within a fraction of a millisecond.
    public private(set) var recentLateness: Int64 = 0
    private var recentSince: Int64 = 0
    /// How long a late wake-up counts towards `recentLateness`.
    public static let loadWindow: Int64 = 5_000_000

    public init() {}

    /// Extra time a silence is given before the broker is suspected or given up, from `recentLateness`: on a loaded
    /// host the broker's process waits for the CPU as this one does, and answers late, not never. `factor` times
    /// the recent lateness, at most `cap`; nothing on a quiet host.
    public func loadAllowance(factor: Int64, cap: Int64) -> Int64 {
        min(cap, factor * recentLateness)
    }

    /// A call into the core at `now`; `due` is the core's deadline before the call (its state has not changed since
    /// the driver last asked). Returns how long the process was stalled past what it had to do (0: on time).
    public mutating func turn(now: Int64, due: Int64, tolerance: Int64) -> Int64 {
        defer { lastTurn = now }
        guard let last = lastTurn else { return 0 }
        let late = now - max(due, last)
        if now - recentSince > Self.loadWindow {
            recentLateness = 0
            recentSince = now
        }
        recentLateness = max(recentLateness, late)
        guard late > tolerance else { return 0 }
        stalls += 1
        longest = max(longest, late)
        return late
    }
}
