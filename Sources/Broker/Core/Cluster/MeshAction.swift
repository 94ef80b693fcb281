import Wire

/// What the `PeerMesh` asks of the broker core after taking a peer message or a timeout: the core owns the stream
/// table, the sessions and the outbox, the mesh only the links. The core applies them in order, so the effects
/// interleave with the datagrams exactly as if one function had done both.
enum MeshAction: Sendable {
    /// A datagram for a peer (sealed, or a COOKIE answering a PEER_HELLO with the wrong token).
    case send(PeerAddress, [UInt8])
    /// A COOKIE told a peer the link token to use (counted with the core's cookies).
    case cookie(PeerAddress, [UInt8])
    /// An authenticated PEER_HELLO from a linked peer; `cameUp` when the link was down until now.
    case heard(PeerAddress, cameUp: Bool, brokerID: UInt64)
    /// The link went down (silence, BYE, or the peer restarted): its streams go offline, its session ends.
    case down(PeerAddress, wasUp: Bool)
    /// A peer's whole announcement (every page of one version), with the peer's origin tag.
    case announced([PeerAnnounceEntry], from: PeerAddress, tag: UInt32)
    /// A peer's whole interest: the streams of ours it wants.
    case interest(Set<StreamID>, from: PeerAddress)
    /// A page of a linked peer's block decisions.
    case blocks([PeerBlockEntry], from: PeerAddress)
    /// A peer message refused (counted under the reason), `count` times.
    case refused(RefusalReason, count: Int)
    case event(BrokerEvent)
}
