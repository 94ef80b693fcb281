import Wire

/// The operator's blocks at this broker: restored at start, and the decisions peers share (PEER_BLOCKS, sent by the
/// `PeerMesh`) applied one entry at a time (newer stamps win).
extension BrokerCore {
    /// Restores the decisions read from the state file at start (before any peer or producer is heard).
    public mutating func restoreBlocks(_ entries: [PeerBlockEntry]) {
        for e in entries { blocks.apply(e) }
    }

    /// A page of a linked peer's decisions.
    mutating func takeBlocks(_ entries: [PeerBlockEntry], from: PeerAddress, now: Int64) {
        for e in entries {
            switch blocks.apply(e) {
            case .blocked:
                events.push(.blockShared(e.producer, blocked: true, from: from))
                enforceBlock(e.producer, now: now)
            case .unblocked:
                events.push(.blockShared(e.producer, blocked: false, from: from))
            case .full:
                counters.refused[.peerBlocksCap] += 1
            case .none:
                break
            }
        }
    }
}
