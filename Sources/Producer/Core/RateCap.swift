/// The most frames per second a live source may send (RATE): a token bucket that admits a frame when a token is
/// there, so a source at or under the cap passes whole despite arrival jitter and one above it loses whole frames,
/// evenly spread. Pure: arrival times come in.
public struct RateCap: Sendable {
    /// The bucket holds a quarter of a second's frames, and at least two: frames a source wrote ahead (a FIFO's
    /// writer, a camera's buffer) arrive together without a drop, while a source faster than the cap is held to it.
    public static let burstSeconds = 0.25
    public static let minimumBurst = 2.0

    /// Tokens the bucket holds at most.
    public let burst: Double

    public let rate: Double
    /// Frames admitted and refused.
    public private(set) var admitted = 0
    public private(set) var dropped = 0
    private var tokens: Double
    private var last: Int64?

    /// A cap of `rate` frames per second.
    public init(rate: Double) {
        precondition(rate > 0)
        self.rate = rate
        burst = max(Self.minimumBurst, rate * Self.burstSeconds)
        tokens = burst
    }

    /// Whether the frame arriving at `now` (µs) may be sent.
    public mutating func admit(now: Int64) -> Bool {
        if let last { tokens = min(burst, tokens + Double(max(0, now - last)) * rate / 1_000_000) }
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
