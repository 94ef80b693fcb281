/// Gathers whole MP3 frames of a live audio source into chunks of about `targetMicros` of sound, the unit the
/// producer sends as one audio frame: 100 ms is four frames at 44.1 kHz (≈1.7 KB at 128 kbit/s, two datagrams),
/// short enough to add little delay, long enough that the per-frame overhead stays small.
public struct AudioChunker: Sendable {
    /// Default sound per chunk.
    public static let defaultTargetMicros = 100_000

    public let targetMicros: Int
    /// Largest chunk (a frame limit of the protocol); a chunk is sent early rather than grow past it.
    public let maxBytes: Int
    private var bytes: [UInt8] = []
    private var micros = 0
    private var firstArrival: UInt64 = 0

    public init(targetMicros: Int = AudioChunker.defaultTargetMicros, maxBytes: Int) {
        precondition(targetMicros > 0 && maxBytes > 0)
        self.targetMicros = targetMicros
        self.maxBytes = maxBytes
    }

    /// Adds one whole frame that arrived at `arrival` (wall µs) and lasts `durationMicros`. Returns a chunk when
    /// one is complete: its bytes, and the arrival of its first frame as its capture time.
    public mutating func add(frame: [UInt8], durationMicros: Int, arrival: UInt64) -> (bytes: [UInt8], captureTime: UInt64)? {
        guard !frame.isEmpty, frame.count <= maxBytes else { return nil }
        var out: (bytes: [UInt8], captureTime: UInt64)?
        if bytes.count + frame.count > maxBytes { out = flush() }
        if bytes.isEmpty { firstArrival = arrival }
        bytes += frame
        micros += durationMicros
        if micros >= targetMicros { out = flush() }
        return out
    }

    /// The frames gathered so far as a chunk (the source stopped), or nil if there are none.
    public mutating func flush() -> (bytes: [UInt8], captureTime: UInt64)? {
        guard !bytes.isEmpty else { return nil }
        defer {
            bytes = []
            micros = 0
        }
        return (bytes, firstArrival)
    }
}
