/// One chunk of a stream of kind `opus` (docs/PROTOCOL.md §13): a few consecutive Opus packets of one encoder,
/// each with its length, so a receiver can decode them one by one (WebCodecs `AudioDecoder`) or mux them into Ogg
/// without parsing Opus itself.
///
///     0  u8   format       1
///     1  u8   channels     1 or 2 (what the decoder is configured with)
///     2  u8   packet_count 1…`maxPackets`
///     3  u8   reserved     0
///     4  then packet_count times: u16 length (1…`OpusPacket.maxBytes`, big-endian), then that many bytes of packet
///
/// Nothing may follow the last packet.
public struct OpusChunk: Equatable, Sendable {
    /// The only format byte defined.
    public static let format: UInt8 = 1
    /// Bytes before the first packet.
    public static let headerBytes = 4
    /// Packets in one chunk at most: 50 packets of 20 ms are one second, the length of an MP3 chunk.
    public static let maxPackets = 50

    public var channels: UInt8
    public var packets: [[UInt8]]

    public init(channels: UInt8, packets: [[UInt8]]) {
        self.channels = channels
        self.packets = packets
    }

    /// The chunk's bytes. Our own caller's mistakes (no packets, too many, bad lengths) are preconditions.
    public func encode() -> [UInt8] {
        precondition(channels == 1 || channels == 2)
        precondition(!packets.isEmpty && packets.count <= Self.maxPackets)
        var out: [UInt8] = [Self.format, channels, UInt8(packets.count), 0]
        out.reserveCapacity(Self.headerBytes + packets.reduce(0) { $0 + 2 + $1.count })
        for p in packets {
            precondition(!p.isEmpty && p.count <= OpusPacket.maxBytes)
            out.append(UInt8(p.count >> 8))
            out.append(UInt8(p.count & 0xFF))
            out.append(contentsOf: p)
        }
        return out
    }

    /// Reads a chunk a peer sent: never traps; a typed error for anything that breaks the layout.
    public static func decode(_ bytes: ArraySlice<UInt8>) throws(OpusChunkError) -> OpusChunk {
        guard bytes.count >= headerBytes else { throw .truncated }
        let b = bytes.startIndex
        guard bytes[b] == format else { throw .unknownFormat(bytes[b]) }
        let channels = bytes[b + 1]
        guard channels == 1 || channels == 2 else { throw .badChannels(channels) }
        let count = Int(bytes[b + 2])
        guard count >= 1, count <= maxPackets else { throw .badPacketCount(count) }
        var packets: [[UInt8]] = []
        packets.reserveCapacity(count)
        var at = b + headerBytes
        for _ in 0..<count {
            guard bytes.endIndex - at >= 2 else { throw .truncated }
            let length = Int(bytes[at]) << 8 | Int(bytes[at + 1])
            at += 2
            guard length >= 1, length <= OpusPacket.maxBytes else { throw .badPacketLength(length) }
            guard bytes.endIndex - at >= length else { throw .truncated }
            packets.append(Array(bytes[at..<at + length]))
            at += length
        }
        guard at == bytes.endIndex else { throw .trailingBytes(bytes.endIndex - at) }
        return OpusChunk(channels: channels, packets: packets)
    }

    public static func decode(_ bytes: [UInt8]) throws(OpusChunkError) -> OpusChunk { try decode(bytes[...]) }
}
