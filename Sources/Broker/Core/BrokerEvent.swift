import Wire

/// What the broker core reports about sessions and streams; the app turns these into log lines.
public enum BrokerEvent: Equatable, Sendable {
    case clientConnected(PeerAddress, slot: Int)
    case producerOnline(ProducerID, from: PeerAddress, streams: [StreamDescriptor])
    /// A producer id now has a session from another address; the newer session wins.
    case producerMoved(ProducerID, from: PeerAddress, to: PeerAddress)
    /// A peer ended its session with BYE.
    case peerLeft(PeerAddress)
    /// A peer went silent for the lease duration.
    case leaseExpired(PeerAddress, role: PeerRole, producer: ProducerID?)
    /// A stream was not tracked: the stream table is full of online streams.
    case streamRefused(StreamID, maxStreams: Int)
    /// The operator ended a client's session (the status page); it was sent BYE with reason `disconnected`.
    case clientDisconnected(PeerAddress)
    /// The operator blocked a producer id; `endedSession` is the address of the session that was ended, if any.
    case producerBlocked(ProducerID, endedSession: PeerAddress?)
    case producerUnblocked(ProducerID)
    /// A blocked producer's HELLO was refused with ERROR `blocked`.
    case blockedHelloRefused(ProducerID, from: PeerAddress)
}
