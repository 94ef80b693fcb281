/// Reading and marking a validated DATA datagram in place, for the broker's fast path that forwards the bytes it
/// received. The DATA header's offsets are known here and in `DataHeader.parse`/`write` only.
extension DataHeader {
    static let typeOffset = 3
    static let frameNumberOffset = 12
    static let flagsOffset = 32

    /// Whether a datagram claims to be DATA (its type byte); `parse` validates the rest.
    public static func isData(_ bytes: [UInt8]) -> Bool { claimedType(bytes) == .data }

    /// The message type a datagram's header claims, unvalidated (for a relay or a fast path that only sorts).
    public static func claimedType(_ bytes: [UInt8]) -> MessageType? {
        bytes.count > typeOffset ? MessageType(rawValue: bytes[typeOffset]) : nil
    }

    /// The frame key of a validated DATA datagram: stream id << 32 | frame number, what queues drop frames by.
    public static func frameKey(of datagram: [UInt8]) -> UInt64 {
        let o = frameNumberOffset
        let frame = UInt32(datagram[o]) << 24 | UInt32(datagram[o + 1]) << 16 | UInt32(datagram[o + 2]) << 8 | UInt32(datagram[o + 3])
        let stream = UInt32(datagram[4]) << 24 | UInt32(datagram[5]) << 16 | UInt32(datagram[6]) << 8 | UInt32(datagram[7])
        return UInt64(stream) << 32 | UInt64(frame)
    }

    static let originOffset = 33

    /// The origin tag of a DATA datagram (bytes 33–35): the broker whose producer sent it (0: not stamped).
    @inlinable
    public static func origin(of datagram: [UInt8]) -> UInt32 {
        UInt32(datagram[33]) << 16 | UInt32(datagram[34]) << 8 | UInt32(datagram[35])
    }

    /// Writes the origin tag (the producer does, for the broker it is connected to: not covered by the MAC).
    public static func setOrigin(_ datagram: inout [UInt8], _ tag: UInt32) {
        datagram[originOffset] = UInt8(truncatingIfNeeded: tag >> 16)
        datagram[originOffset + 1] = UInt8(truncatingIfNeeded: tag >> 8)
        datagram[originOffset + 2] = UInt8(truncatingIfNeeded: tag)
    }

    /// A copy of a validated DATA datagram with the retransmission flag set.
    public static func markedResent(_ datagram: [UInt8]) -> [UInt8] { marked(datagram, retransmitFlag) }

    /// A copy of a validated DATA datagram with the cached-frame flag set (the join frame).
    public static func markedCached(_ datagram: [UInt8]) -> [UInt8] { marked(datagram, cachedFlag) }

    private static func marked(_ datagram: [UInt8], _ flag: UInt8) -> [UInt8] {
        var d = datagram
        d[flagsOffset] |= flag
        return d
    }
}
