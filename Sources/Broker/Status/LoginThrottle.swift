/// Slows down password guessing without ever sleeping, per source and in total. Per source: each failed attempt
/// pushes that source's next allowed attempt further out (`baseDelay` doubling per failure, at most `maxDelay`).
/// In total: wrong passwords draw on one bucket shared by every source (`globalBurst`, refilled at
/// `globalPerSecond`), so a guesser with many addresses gets no more guesses than one with a few; while it is
/// empty no password is looked at, except from a source that logged in before (`trusted`, at most `maxTrusted`,
/// for `trustedFor`), so the operator still gets in during a guessing storm. A refused attempt is answered 429 at
/// once: the event loop never waits; the guesser does. Bounded: at most `maxSources` sources are remembered (the
/// one whose penalty ends first is forgotten to make room; the shared bucket still holds), and a source's
/// failures are forgotten `forgetAfter` after its last one.
public struct LoginThrottle<Source: Hashable & Sendable>: Sendable {
    public static var baseDelay: Int64 { 500_000 }
    public static var maxDelay: Int64 { 30_000_000 }
    public static var forgetAfter: Int64 { 15 * 60_000_000 }
    public static var maxSources: Int { 4096 }
    /// Wrong passwords checked per second over all sources, after a burst of `globalBurst`.
    public static var globalPerSecond: Int64 { 2 }
    public static var globalBurst: Int64 { 20 }
    /// Sources that gave the right password are trusted past the shared bucket for a day, at most this many.
    public static var maxTrusted: Int { 64 }
    public static var trustedFor: Int64 { 24 * 3600 * 1_000_000 }

    struct Record: Sendable {
        var failures: Int
        var lastFailure: Int64
        var until: Int64
    }

    /// What the throttle decided so far, for /metrics.
    public struct Counters: Sendable, Equatable {
        /// Passwords compared (right or wrong).
        public var checked = 0
        public var refusedSource = 0
        public var refusedGlobal = 0
    }

    private var records: [Source: Record] = [:]
    private var trusted: [Source: Int64] = [:]
    /// The shared bucket, in millionths of a guess so that refill needs no fractions.
    private var tokens = globalBurst * 1_000_000
    private var refilledAt: Int64?
    public private(set) var counters = Counters()

    public init() {}

    public var trackedSources: Int { records.count }

    /// nil when `source` may try now; otherwise when it may try again (monotonic µs).
    public func blockedUntil(_ source: Source, now: Int64) -> Int64? {
        if let r = records[source], now < r.until { return r.until }
        if isTrusted(source, now: now) { return nil }
        let t = refilled(now: now)
        guard t < 1_000_000 else { return nil }
        return now + (1_000_000 - t + Self.globalPerSecond - 1) / Self.globalPerSecond
    }

    /// Decides whether a password from `source` is looked at now, and counts: nil to check it, else when to retry.
    public mutating func admit(_ source: Source, now: Int64) -> Int64? {
        if let until = blockedUntil(source, now: now) {
            if let r = records[source], now < r.until { counters.refusedSource += 1 } else { counters.refusedGlobal += 1 }
            return until
        }
        counters.checked += 1
        return nil
    }

    /// Records a failed attempt; returns when the source may try again.
    @discardableResult
    public mutating func failed(_ source: Source, now: Int64) -> Int64 {
        tokens = max(0, refilled(now: now) - 1_000_000)
        refilledAt = now
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

    /// A correct password clears the source's record and trusts it past the shared bucket.
    public mutating func succeeded(_ source: Source, now: Int64) {
        records[source] = nil
        if trusted[source] == nil && trusted.count >= Self.maxTrusted, let oldest = trusted.min(by: { $0.value < $1.value }) {
            trusted[oldest.key] = nil
        }
        trusted[source] = now
    }

    private func isTrusted(_ source: Source, now: Int64) -> Bool {
        guard let t = trusted[source] else { return false }
        return now - t < Self.trustedFor
    }

    /// The shared bucket's content at `now`, in millionths of a guess.
    private func refilled(now: Int64) -> Int64 {
        guard let at = refilledAt else { return tokens }
        let elapsed = max(0, now - at)
        return min(Self.globalBurst * 1_000_000, tokens + min(elapsed, Self.globalBurst * 1_000_000) * Self.globalPerSecond)
    }

    private mutating func makeRoom(now: Int64) {
        records = records.filter { now - $0.value.lastFailure <= Self.forgetAfter }
        if records.count >= Self.maxSources, let first = records.min(by: { $0.value.until < $1.value.until }) {
            records[first.key] = nil
        }
    }
}
