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
    /// A producer HELLO did not prove the id's stream key (reported once per id until it does).
    case producerUnauthorized(ProducerID, from: PeerAddress)
    /// A link to another broker of the cluster is up (its PEER_HELLO authenticated), or went down (silent).
    case peerUp(PeerAddress, brokerID: UInt64)
    case peerDown(PeerAddress)
    /// BROKER_PEERS lists this broker itself at that address: the entry is ignored.
    case peerIsSelf(PeerAddress)
    /// This edge now links to that upstream (BROKER_UPSTREAM): the first of the list, or the next after a loss.
    case upstreamChosen(PeerAddress)
    /// A link refused because it would close a loop: the upstream's path to the mesh (origin tags) passes through
    /// this broker, or our upstream names us as its own.
    case treeLoop(PeerAddress, path: [UInt32])
    /// An upstream refused because an edge below it would be deeper than `PeerHello.maxPath` allows.
    case treeTooDeep(PeerAddress, depth: Int)
    /// A client added a selector that matches a known stream.
    case subscribed(PeerAddress, StreamID)
    /// A client added a selector that matches no known stream: it waits for the producer to come online.
    case subscribedWaiting(PeerAddress, StreamID)
    /// A client dropped a selector it held.
    case unsubscribed(PeerAddress, StreamID)
    /// A stream was not tracked: the stream table is full of online streams.
    case streamRefused(StreamID, maxStreams: Int)
    /// The operator ended a client's session (the status page); it was sent BYE with reason `disconnected`.
    case clientDisconnected(PeerAddress)
    /// The operator blocked a producer id; `endedSession` is the address of the session that was ended, if any.
    case producerBlocked(ProducerID, endedSession: PeerAddress?)
    case producerUnblocked(ProducerID)
    /// A block or unblock decided at the peer broker `from` was applied here.
    case blockShared(ProducerID, blocked: Bool, from: PeerAddress)
    /// A blocked producer's HELLO was refused with ERROR `blocked`.
    case blockedHelloRefused(ProducerID, from: PeerAddress)
}
