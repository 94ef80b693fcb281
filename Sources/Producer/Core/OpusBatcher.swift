import Media

/// Groups the Opus packets a page sends one by one into chunks of `packetsPerChunk` (docs/PROTOCOL.md §13):
/// 100 ms of sound per chunk, ten chunks a second, instead of fifty datagrams of ~100 bytes. A chunk's capture
/// time is the arrival of its first packet.
public struct OpusBatcher: Sendable {
    /// The page's encoder frame, µs (WebCodecs `opus.frameDuration`).
    public static let packetMicros: Int64 = 20_000
    /// Packets per chunk: 5 × 20 ms = 100 ms, a tenth of what an MP3 chunk holds, for a shorter delay.
    public static let packetsPerChunk = 5

    public let channels: UInt8
    private var packets: [[UInt8]] = []
    private var firstArrival: UInt64 = 0
    /// Packets refused: empty, over the Opus size limit, or not Opus framing.
    public private(set) var refused = 0

    public init(channels: UInt8) {
        precondition(channels == 1 || channels == 2)
        self.channels = channels
    }

    /// Adds one packet that arrived at wall time `arrival` (µs since the epoch); returns a whole chunk and its
    /// capture time when this packet completes one.
    public mutating func add(_ packet: ArraySlice<UInt8>, arrival: UInt64) -> (chunk: [UInt8], captureTime: UInt64)? {
        guard !packet.isEmpty, packet.count <= OpusPacket.maxBytes, OpusPacket.sampleCount(packet) != nil else {
            refused += 1
            return nil
        }
        if packets.isEmpty { firstArrival = arrival }
        packets.append(Array(packet))
        guard packets.count == Self.packetsPerChunk else { return nil }
        defer { packets = [] }
        return (OpusChunk(channels: channels, packets: packets).encode(), firstArrival)
    }
}
