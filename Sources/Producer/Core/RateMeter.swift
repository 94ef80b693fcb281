/// Measures the frame rate a live source really delivers, so the rate the cluster shows (`list`, the viewer) is the
/// measured one rather than RATE, which is only a cap for a live source: frames are counted over `window` from the
/// first one after the source came online, and the rate is given once.
public struct RateMeter: Sendable {
    /// How long frames are counted before the rate is given.
    public static let window: Int64 = 2_000_000

    private var start: Int64?
    private var frames = 0
    private var done = false

    public init() {}

    /// Counts a frame sent at `now`; returns the measured rate (frames per second) once the window is over.
    public mutating func count(now: Int64) -> Double? {
        guard !done else { return nil }
        guard let start else {
            self.start = now
            frames = 1
            return nil
        }
        frames += 1
        guard now - start >= Self.window else { return nil }
        done = true
        // Frames after the first over the time they took: intervals per second.
        return Double(frames - 1) * 1_000_000 / Double(now - start)
    }

    /// The source went offline: measure again when it is back.
    public mutating func restart() { self = RateMeter() }
}
