/// The keys the broker files DATA under, each one 64-bit word with the stream id in the high half. One definition,
/// so a queue that drops a frame and the producer of the key cannot disagree.
public enum FrameKey {
    /// One frame of one stream (stream id << 32 | frame number): what subscriber queues drop whole frames by.
    @inlinable
    public static func of(stream: StreamID, frame: UInt32) -> UInt64 {
        UInt64(stream.rawValue) << 32 | UInt64(frame)
    }

    /// One datagram of one stream (stream id << 32 | sequence number): what a peer's recent resends are keyed by, so
    /// one datagram is not resent twice per round trip. A different key from the frame's over the same bits.
    @inlinable
    public static func datagram(stream: StreamID, sequence: UInt32) -> UInt64 {
        UInt64(stream.rawValue) << 32 | UInt64(sequence)
    }
}
