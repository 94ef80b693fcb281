/// Slows down password guessing without ever sleeping: each failed attempt from a source pushes that source's
/// next allowed attempt further out (`baseDelay` doubling per failure, at most `maxDelay`); until then every
/// attempt from it is answered 429 at once, without looking at the password. The event loop never waits; the
/// guesser does. Bounded: at most `maxSources` sources are remembered (the one whose penalty ends first is
/// forgotten to make room), and a source's failures are forgotten `forgetAfter` after its last one.
public struct LoginThrottle<Source: Hashable & Sendable>: Sendable {
    public static var baseDelay: Int64 { 500_000 }
    public static var maxDelay: Int64 { 30_000_000 }
    public static var forgetAfter: Int64 { 15 * 60_000_000 }
    public static var maxSources: Int { 4096 }

    struct Record: Sendable {
        var failures: Int
        var lastFailure: Int64
        var until: Int64
    }

    private var records: [Source: Record] = [:]

    public init() {}

    public var trackedSources: Int { records.count }

    /// nil when `source` may try now; otherwise when it may try again (monotonic µs).
    public func blockedUntil(_ source: Source, now: Int64) -> Int64? {
        guard let r = records[source], now < r.until else { return nil }
        return r.until
    }

    /// Records a failed attempt; returns when the source may try again.
    @discardableResult
    public mutating func failed(_ source: Source, now: Int64) -> Int64 {
        var r = records[source] ?? Record(failures: 0, lastFailure: now, until: now)
        if now - r.lastFailure > Self.forgetAfter { r.failures = 0 }
        r.failures += 1
        r.lastFailure = now
        let shift = min(r.failures - 1, 16)
        r.until = now + min(Self.baseDelay << Int64(shift), Self.maxDelay)
        if records[source] == nil && records.count >= Self.maxSources { makeRoom(now: now) }
        records[source] = r
        return r.until
    }

    /// A correct password clears the source's record.
    public mutating func succeeded(_ source: Source) { records[source] = nil }

    private mutating func makeRoom(now: Int64) {
        records = records.filter { now - $0.value.lastFailure <= Self.forgetAfter }
        if records.count >= Self.maxSources, let first = records.min(by: { $0.value.until < $1.value.until }) {
            records[first.key] = nil
        }
    }
}
