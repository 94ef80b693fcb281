/// A cumulative histogram of short delays with fixed bucket bounds, in the shape Prometheus exposes
/// (`_bucket{le=...}`, `_sum`, `_count`). Recording is a short scan over twenty bounds: cheap enough for
/// every forwarded datagram. Pure value; the caller supplies the measured nanoseconds.
public struct DelayHistogram: Sendable, Equatable {
    /// Upper bounds of the buckets in microseconds; a last bucket (+Inf) takes the rest.
    public static let boundsMicros: [Int64] = [
        25, 50, 100, 150, 200, 300, 400, 500, 600, 700, 800, 900, 1000, 1500, 2000, 5000, 10_000, 50_000, 250_000,
    ]

    /// counts[i]: delays in (bounds[i-1], bounds[i]]; counts.last: above the last bound. Not cumulative.
    public private(set) var counts = [UInt64](repeating: 0, count: DelayHistogram.boundsMicros.count + 1)
    public private(set) var sumNanos: Int64 = 0
    public private(set) var count: UInt64 = 0

    public init() {}

    /// Records one delay. Negative delays (a wall clock stepped back) count as zero.
    public mutating func record(nanos: Int64) {
        let d = max(0, nanos)
        let micros = (d + 999) / 1000
        var i = 0
        let bounds = Self.boundsMicros
        while i < bounds.count && micros > bounds[i] { i += 1 }
        counts[i] += 1
        sumNanos &+= d
        count += 1
    }

    /// Cumulative counts per bound (Prometheus `le` buckets), +Inf last.
    public var cumulative: [UInt64] {
        var acc: UInt64 = 0
        return counts.map {
            acc += $0
            return acc
        }
    }

    /// The smallest bucket bound (µs) at or below which at least `q` of the delays fall; nil when empty, and
    /// `Int64.max` when they are beyond the last bound.
    public func quantileUpperBoundMicros(_ q: Double) -> Int64? {
        guard count > 0 else { return nil }
        let want = UInt64((Double(count) * q).rounded(.up))
        for (i, c) in cumulative.enumerated() where c >= max(want, 1) {
            return i < Self.boundsMicros.count ? Self.boundsMicros[i] : Int64.max
        }
        return Int64.max
    }
}
