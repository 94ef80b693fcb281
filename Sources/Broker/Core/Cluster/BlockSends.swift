import Wire

/// The block decisions made here that are being repeated to the peers (PEER_BLOCKS), and the count of peer
/// heartbeats towards the next periodic send of the whole list.
struct BlockSends: Sendable {
    /// Sends of a new decision: at once, then after `snapshotRetry`, doubling, so 10% loss misses one peer about
    /// once in ten thousand decisions; the periodic list repairs that too.
    static let sends = 4
    /// Peer heartbeats between two sends of the whole list to every linked peer (a second by default): a broker
    /// that was cut off, restarted without its state file, or missed every repeat catches up within it.
    static let listEvery = 10

    var entries: [PeerBlockEntry] = []
    var sendsLeft = 0
    var dueAt: Int64 = .max
    var delay: Int64 = 0
    var ticks = 0
}
