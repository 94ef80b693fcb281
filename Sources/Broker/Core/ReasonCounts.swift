/// One counter per reason, kept in a fixed array indexed by the reason's raw value: bumped for every refused or
/// malformed datagram, so it must cost no hashing and no allocation.
public struct ReasonCounts<Reason: CountedReason>: Sendable, Equatable {
    private var counts = [Int](repeating: 0, count: Reason.allCases.count)

    public init() {}

    /// How many times `reason` was counted.
    public subscript(_ reason: Reason) -> Int {
        get { counts[reason.rawValue] }
        set { counts[reason.rawValue] = newValue }
    }

    /// The reasons counted at least once, ordered by label: a series appears in /metrics only after its first
    /// occurrence (docs/METRICS.md), in label order.
    public var occurred: [(reason: Reason, count: Int)] {
        Reason.allCases.filter { counts[$0.rawValue] > 0 }.sorted { $0.label < $1.label }.map { ($0, counts[$0.rawValue]) }
    }
}
