/// Reading and marking a validated DATA datagram in place, for the broker's fast path that forwards the bytes it
/// received, the producer's resends and the MAC. The DATA header's offsets are known here and in
/// `DataHeader.parse`/`write` only.
extension DataHeader {
    static let typeOffset = 3
    static let streamOffset = 4
    static let frameNumberOffset = 12
    static let flagsOffset = 32
    @usableFromInline static let originOffset = 33
    /// The MAC's 8 bytes; the header before `flagsOffset` is covered by it, the flags, origin and the MAC are not.
    @usableFromInline static let macOffset = 36
    @usableFromInline static let macCoveredHeader = flagsOffset

    /// Whether a datagram claims to be DATA (its type byte); `parse` validates the rest.
    public static func isData(_ bytes: [UInt8]) -> Bool { claimedType(bytes) == .data }

    /// The message type a datagram's header claims, unvalidated (for a relay or a fast path that only sorts).
    public static func claimedType(_ bytes: [UInt8]) -> MessageType? {
        bytes.count > typeOffset ? MessageType(rawValue: bytes[typeOffset]) : nil
    }

    /// The frame key of a validated DATA datagram (`FrameKey.of`), what queues drop frames by.
    public static func frameKey(of datagram: [UInt8]) -> UInt64 {
        FrameKey.of(stream: StreamID(rawValue: u32(datagram, streamOffset)), frame: u32(datagram, frameNumberOffset))
    }

    private static func u32(_ d: [UInt8], _ o: Int) -> UInt32 {
        UInt32(d[o]) << 24 | UInt32(d[o + 1]) << 16 | UInt32(d[o + 2]) << 8 | UInt32(d[o + 3])
    }

    /// The origin tag of a DATA datagram (3 bytes at `originOffset`): the broker whose producer sent it (0: not
    /// stamped).
    @inlinable
    public static func origin(of datagram: [UInt8]) -> UInt32 {
        let o = originOffset
        return UInt32(datagram[o]) << 16 | UInt32(datagram[o + 1]) << 8 | UInt32(datagram[o + 2])
    }

    /// Writes the origin tag (the producer does, for the broker it is connected to: not covered by the MAC).
    public static func setOrigin(_ datagram: inout [UInt8], _ tag: UInt32) {
        datagram[originOffset] = UInt8(truncatingIfNeeded: tag >> 16)
        datagram[originOffset + 1] = UInt8(truncatingIfNeeded: tag >> 8)
        datagram[originOffset + 2] = UInt8(truncatingIfNeeded: tag)
    }

    /// The MAC a DATA datagram carries (big-endian), read in place.
    @inlinable
    static func mac(of raw: UnsafeRawBufferPointer) -> UInt64 {
        UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: macOffset, as: UInt64.self))
    }

    /// Writes the MAC (`DataMAC.stamp` does, once the datagram is whole).
    static func setMAC(_ datagram: inout [UInt8], _ mac: UInt64) {
        for i in 0..<8 { datagram[macOffset + i] = UInt8(truncatingIfNeeded: mac >> (56 - 8 * UInt64(i))) }
    }

    /// A copy of a validated DATA datagram with the retransmission flag set.
    public static func markedResent(_ datagram: [UInt8]) -> [UInt8] { marked(datagram, retransmitFlag) }

    /// A copy of a validated DATA datagram with the cached-frame flag set (the join frame).
    public static func markedCached(_ datagram: [UInt8]) -> [UInt8] { marked(datagram, cachedFlag) }

    /// Clears a flag in place (a producer sending a held datagram as a first send, not as a resend).
    public static func clearFlag(_ flag: UInt8, in datagram: inout [UInt8]) {
        datagram[flagsOffset] &= ~flag
    }

    private static func marked(_ datagram: [UInt8], _ flag: UInt8) -> [UInt8] {
        var d = datagram
        d[flagsOffset] |= flag
        return d
    }
}
