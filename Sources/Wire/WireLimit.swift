/// A named limit a decoder enforces (docs/PROTOCOL.md, "Limits"): its name is the `WireConstants` one.
public enum WireLimit: String, Sendable, CustomStringConvertible {
    case maxDatagram
    case maxStreamsPerProducer
    case maxReasonBytes
    case maxNackRanges
    case maxListEntries
    case maxFrameBytes
    case maxAnnounceEntries
    case maxInterestEntries
    case maxBlockEntries

    public var description: String { rawValue }
}
