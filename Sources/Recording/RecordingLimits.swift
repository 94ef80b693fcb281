/// The recorder's limits, each named so it can be documented (docs/RECORDINGS.md) and tested.
public struct RecordingLimits: Sendable {
    /// Frames waiting for the writer thread; beyond, whole frames are dropped and counted.
    public var queueFrames = 2048
    /// Bytes of frames waiting for the writer thread; beyond, whole frames are dropped and counted.
    public var queueBytes = 64 << 20
    /// A segment waits this long (capture time) for frames of each known medium before its header is written,
    /// so frames of the two streams arriving slightly out of order both go in, in capture order.
    public var reorderMicros: UInt64 = 500_000
    /// At most this long (capture time) for a producer's second medium to show up before a file starts without it.
    public var trackWaitMicros: UInt64 = 2_000_000
    /// Frames held while a segment waits (both bounds start the file at once when reached).
    public var pendingFrames = 512
    public var pendingBytes = 32 << 20
    /// A frame captured up to this long before its segment's start is dropped (counted as late); further back,
    /// the producer's clock went back (a restart) and a new segment begins.
    public var lateMicros: UInt64 = 2_000_000

    public init() {}
}
