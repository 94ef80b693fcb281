/// Keeps log volume out of a peer's hands: at most `burst` lines of one kind per `window`; the rest are counted and
/// summarised once the window is over ("… and 4,982 more like it in the last 10 s"). Pure: times are given.
public struct LogLimiter: Sendable {
    struct Bucket: Sendable {
        var windowStart: Int64
        var printed = 0
        var suppressed = 0
    }
    public let burst: Int
    public let window: Int64
    private var buckets: [String: Bucket] = [:]
    /// When the earliest window with suppressed lines ends.
    public private(set) var nextSummary: Int64 = .max

    public init(burst: Int = 20, window: Int64 = 10_000_000) {
        self.burst = burst
        self.window = window
    }

    /// Whether a line of `kind` may be written at `now`; otherwise it is counted for the summary.
    public mutating func admit(_ kind: String, now: Int64) -> Bool {
        var b = buckets[kind] ?? Bucket(windowStart: now)
        if now - b.windowStart >= window && b.suppressed == 0 { b = Bucket(windowStart: now) }
        guard b.printed < burst else {
            b.suppressed += 1
            nextSummary = min(nextSummary, b.windowStart + window)
            buckets[kind] = b
            return false
        }
        b.printed += 1
        buckets[kind] = b
        return true
    }

    /// The summaries of windows that ended by `now` with lines suppressed, one per kind; those windows restart.
    public mutating func summaries(now: Int64) -> [String] {
        guard now >= nextSummary else { return [] }
        var out: [String] = []
        nextSummary = .max
        for (kind, b) in buckets.sorted(by: { $0.key < $1.key }) where b.suppressed > 0 {
            if now - b.windowStart >= window {
                out.append("… and \(Self.grouped(b.suppressed)) more like it (\(kind)) in the last \(window / 1_000_000) s")
                buckets[kind] = Bucket(windowStart: now)
            } else {
                nextSummary = min(nextSummary, b.windowStart + window)
            }
        }
        return out
    }

    /// 4982 -> "4,982".
    static func grouped(_ n: Int) -> String {
        var s = String(n)
        var i = s.count - 3
        while i > 0 {
            s.insert(",", at: s.index(s.startIndex, offsetBy: i))
            i -= 3
        }
        return s
    }
}
