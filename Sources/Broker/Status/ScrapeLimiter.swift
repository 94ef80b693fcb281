/// Bounds how often one source may ask for the expensive views (/metrics and /api/...): a token bucket per
/// source of `burst` requests refilled at `perSecond` (SCRAPE_RATE, default 5, and twice that at once, at least
/// 20); past it, the request is refused (429) before any work. The status page polls once a second and Prometheus
/// every few seconds, well inside it. Bounded: at most
/// `maxSources` sources are remembered; to make room, the ones whose buckets are full again are forgotten, else
/// the one seen longest ago.
public struct ScrapeLimiter<Source: Hashable & Sendable>: Sendable {
    public let perSecond: Int64
    public let burst: Int64
    public static var maxSources: Int { 1024 }

    struct Bucket: Sendable {
        /// Millionths of a request, so refill needs no fractions.
        var tokens: Int64
        var at: Int64
    }

    private var buckets: [Source: Bucket] = [:]

    public init(perSecond: Int, burst: Int) {
        precondition(perSecond > 0 && burst > 0)
        self.perSecond = Int64(perSecond)
        self.burst = Int64(burst)
    }

    public var trackedSources: Int { buckets.count }

    /// nil (and one request taken) when `source` may be served now; else when it may ask again.
    public mutating func admit(_ source: Source, now: Int64) -> Int64? {
        var b = buckets[source].map { refilled($0, now: now) } ?? Bucket(tokens: burst * 1_000_000, at: now)
        guard b.tokens >= 1_000_000 else { return now + (1_000_000 - b.tokens + perSecond - 1) / perSecond }
        b.tokens -= 1_000_000
        if buckets[source] == nil && buckets.count >= Self.maxSources { makeRoom(now: now) }
        buckets[source] = b
        return nil
    }

    private func refilled(_ b: Bucket, now: Int64) -> Bucket {
        let gained = min(max(0, now - b.at), burst * 1_000_000) * perSecond
        return Bucket(tokens: min(burst * 1_000_000, b.tokens + gained), at: now)
    }

    private mutating func makeRoom(now: Int64) {
        buckets = buckets.filter { refilled($0.value, now: now).tokens < burst * 1_000_000 }
        if buckets.count >= Self.maxSources, let oldest = buckets.min(by: { $0.value.at < $1.value.at }) { buckets[oldest.key] = nil }
    }
}
