/// Why a frame could not go into the current segment.
public enum MatroskaError: Error, Sendable, Equatable {
    /// Its capture time is earlier than the segment's start (a producer whose clock went back): start a new
    /// segment rather than re-pace it.
    case beforeSegmentStart(captureMicros: UInt64, startMicros: UInt64)
}
