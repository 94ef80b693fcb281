/// Smoothed round-trip time (RFC 6298 style), in microseconds.
public struct RTTEstimator: Sendable {
    public private(set) var smoothed: Int64
    public private(set) var variance: Int64
    public private(set) var hasSample = false

    public init(initial: Int64) {
        smoothed = initial
        variance = initial / 2
    }

    public mutating func add(sample: Int64) {
        let s = max(sample, 1)
        if !hasSample {
            smoothed = s
            variance = s / 2
            hasSample = true
        } else {
            variance = (3 * variance + abs(smoothed - s)) / 4
            smoothed = (7 * smoothed + s) / 8
        }
    }

    /// The retransmission timeout: one RTT plus four times its variation (RFC 6298), unclamped.
    public var timeout: Int64 { smoothed + 4 * variance }

    /// How long to wait before asking again (or resending again): one RTT plus margin, clamped.
    public func retryInterval(_ timers: Timers) -> Int64 {
        min(max(timeout, timers.minRetryInterval), timers.maxRetryInterval)
    }

    /// The retry interval for a peer-reported RTT (0 if unknown).
    public static func interval(rtt: Int64, timers: Timers) -> Int64 {
        let base = rtt > 0 ? rtt * 3 / 2 : timers.initialRTT
        return min(max(base, timers.minRetryInterval), timers.maxRetryInterval)
    }
}
