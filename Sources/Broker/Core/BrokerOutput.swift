import Wire

/// What the broker core asks its I/O layer to do.
public enum BrokerOutput: Sendable {
    /// A control datagram, sent at once.
    case send(to: PeerAddress, [UInt8])
    /// One DATA datagram for every subscriber of its stream, through each subscriber's bounded queue.
    /// `frameKey` (`FrameKey.of`: stream id and frame number) lets a queue drop whole frames.
    case forward([UInt8], frameKey: UInt64, to: [Subscriber])
    /// A DATA datagram (a retransmission, or the cached frame for a new subscriber) for one subscriber's queue.
    case unicast([UInt8], frameKey: UInt64, to: Subscriber)
    /// The subscriber in this slot is gone; its queue can be discarded.
    case release(slot: Int)
}
