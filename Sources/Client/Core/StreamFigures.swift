/// Per-stream figures the client shows: rates over the last interval, totals, a latency histogram (0.1 ms
/// buckets to 200 ms) and join times. Pure: the app stamps times and latencies, this keeps the arithmetic.
/// One value per subscription: a new subscription starts a new one, so counts, bytes, latency and the first
/// frame all describe the same span. The join frame (the broker's cached last frame, sent on subscribing) is
/// as old as the time since it was captured, so its age is kept apart and never enters live latency.
public struct StreamFigures: Sendable {
    public init() {}

    public var frames = 0
    public var bytes = 0
    public var framesAtLast = 0
    public var latencies: [Double] = []  // ms, current interval
    public var latencyHistogram = [Int](repeating: 0, count: 2001)  // 0.1 ms buckets up to 200 ms, last = over
    public var latencyCount = 0
    public var latencySum = 0.0
    public var joinedAt: Int64?
    public var firstFrameAfterJoin: Int64?
    /// When the SUBSCRIBE left (at the command, or when the session came up if it was not yet), and the time
    /// from then to the first complete frame: the join itself, without connection setup.
    public var subscribeSentAt: Int64?
    public var firstFrameAfterSubscribe: Int64?
    /// Age (capture to arrival) of the first join frame of this subscription, ms.
    public var joinFrameAgeMs: Double?

    /// Counts one complete frame received at `now` (monotonic µs), `latencyMs` after its capture.
    public mutating func record(bytes: Int, latencyMs: Double, cached: Bool, now: Int64) {
        frames += 1
        self.bytes += bytes
        if cached {
            if joinFrameAgeMs == nil { joinFrameAgeMs = latencyMs }
        } else {
            add(latencyMs: latencyMs)
        }
        if firstFrameAfterJoin == nil, let j = joinedAt { firstFrameAfterJoin = now - j }
        if firstFrameAfterSubscribe == nil, let j = subscribeSentAt { firstFrameAfterSubscribe = now - j }
    }

    public mutating func add(latencyMs: Double) {
        latencies.append(latencyMs)
        let b = min(Int(latencyMs * 10), latencyHistogram.count - 1)
        latencyHistogram[max(b, 0)] += 1
        latencyCount += 1
        latencySum += latencyMs
    }
    public func percentile(_ p: Double) -> Double {
        guard latencyCount > 0 else { return 0 }
        let target = Int((Double(latencyCount) * p).rounded(.up))
        var acc = 0
        for (i, c) in latencyHistogram.enumerated() {
            acc += c
            if acc >= target { return Double(i) / 10 }
        }
        return 200
    }
}
