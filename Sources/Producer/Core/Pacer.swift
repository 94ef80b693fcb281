/// A producer's media schedule against absolute time: frame n is due at `start + n × interval` (rounded), never
/// at the previous send plus an interval, so the rate does not drift with the loop's own delays; one audio chunk
/// is due every second. Pure: the app asks what is due at `now` and says what it sent.
public struct Pacer: Sendable {
    /// Further behind than this (suspended, overloaded), the schedule restarts instead of sending a burst.
    public static let resyncThreshold: Int64 = 1_000_000
    /// Microseconds between frames.
    public let interval: Double
    public private(set) var start: Int64
    public private(set) var frameIndex: Int64 = 0
    public private(set) var audioIndex: Int64 = 0

    /// `rate` frames per second, the first frame due at `start` (monotonic µs).
    public init(rate: Double, start: Int64) {
        precondition(rate > 0)
        interval = 1_000_000 / rate
        self.start = start
    }

    public var nextFrame: Int64 { start + Int64((Double(frameIndex) * interval).rounded()) }
    public var nextAudio: Int64 { start + audioIndex * 1_000_000 }

    /// When a frame is due at `now`: if the schedule is further behind than `resyncThreshold`, it restarts from
    /// `now` and this returns how far behind it was (µs); otherwise nil.
    public mutating func resyncIfFarBehind(now: Int64) -> Int64? {
        let behind = now - nextFrame
        guard behind > Self.resyncThreshold else { return nil }
        start = now - Int64((Double(frameIndex) * interval).rounded())
        return behind
    }

    /// The due frame was handled (sent, or skipped for want of a file).
    public mutating func frameDone() { frameIndex += 1 }

    /// The due audio chunk was handled; far behind, the next one is the one due in the current second.
    public mutating func audioDone(now: Int64) {
        let due = nextAudio
        audioIndex += 1
        if now - due > Self.resyncThreshold { audioIndex = (now - start) / 1_000_000 + 1 }
    }

    /// No more media (the producer is leaving).
    public mutating func stopMedia(now: Int64) { start = now + 1_000_000_000 }
}
