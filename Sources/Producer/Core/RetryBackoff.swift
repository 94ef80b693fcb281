/// How long a producer waits before opening a live source again after it failed: doubling from `initial` to
/// `maximum`, back to `initial` once the source delivered.
public struct RetryBackoff: Sendable {
    /// Defaults: 0.5 s doubling to 10 s.
    public static let defaultInitial: Int64 = 500_000
    public static let defaultMaximum: Int64 = 10_000_000

    public let initial: Int64
    public let maximum: Int64
    private var current: Int64

    public init(initial: Int64 = RetryBackoff.defaultInitial, maximum: Int64 = RetryBackoff.defaultMaximum) {
        precondition(initial > 0 && maximum >= initial)
        self.initial = initial
        self.maximum = maximum
        current = initial
    }

    /// The wait before the next attempt (µs); the one after is twice as long, up to `maximum`.
    public mutating func next() -> Int64 {
        defer { current = min(current * 2, maximum) }
        return current
    }

    /// The source delivered: the next failure waits `initial` again.
    public mutating func reset() { current = initial }
}
