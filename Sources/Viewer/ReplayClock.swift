/// The position of a replay against the client's clock: a position in the file (ms) at an anchor time (µs),
/// advancing at 1× or 2× while playing. Pure: `now` is given.
public struct ReplayClock: Sendable, Equatable {
    public private(set) var anchorMillis: Int64 = 0
    public private(set) var anchorMicros: Int64
    public private(set) var speed: Int64 = 1
    public private(set) var playing = false

    public init(now: Int64) { anchorMicros = now }

    /// The position now, in ms from the file's start.
    public func position(now: Int64) -> Int64 {
        playing ? anchorMillis + max(0, now - anchorMicros) * speed / 1000 : anchorMillis
    }

    /// When the position reaches `millis` (µs, the client's clock); nil while paused.
    public func time(of millis: Int64) -> Int64? {
        guard playing else { return nil }
        return anchorMicros + max(0, millis - anchorMillis) * 1000 / speed
    }

    private mutating func reanchor(now: Int64) {
        anchorMillis = position(now: now)
        anchorMicros = now
    }

    public mutating func play(now: Int64) {
        reanchor(now: now)
        playing = true
    }

    public mutating func pause(now: Int64) {
        reanchor(now: now)
        playing = false
    }

    /// 1× or 2× (anything else is refused by the command parser).
    public mutating func setSpeed(_ s: Int64, now: Int64) {
        reanchor(now: now)
        speed = s
    }

    public mutating func seek(_ millis: Int64, now: Int64) {
        anchorMillis = millis
        anchorMicros = now
    }
}
