/// The most frames per second a live source may send (RATE): a token bucket that admits a frame when a token is
/// there, so a source at or under the cap passes whole despite arrival jitter and one above it loses whole frames,
/// evenly spread. Pure: arrival times come in.
public struct RateCap: Sendable {
    /// Tokens the bucket holds at most: two frames may arrive back to back after a pause without a drop.
    public static let burst = 2.0

    public let rate: Double
    /// Frames admitted and refused.
    public private(set) var admitted = 0
    public private(set) var dropped = 0
    private var tokens = RateCap.burst
    private var last: Int64?

    /// A cap of `rate` frames per second.
    public init(rate: Double) {
        precondition(rate > 0)
        self.rate = rate
    }

    /// Whether the frame arriving at `now` (µs) may be sent.
    public mutating func admit(now: Int64) -> Bool {
        if let last { tokens = min(Self.burst, tokens + Double(max(0, now - last)) * rate / 1_000_000) }
        last = now
        guard tokens >= 1 else {
            dropped += 1
            return false
        }
        tokens -= 1
        admitted += 1
        return true
    }
}
