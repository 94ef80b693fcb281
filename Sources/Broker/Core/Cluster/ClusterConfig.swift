import Wire

/// How a broker takes part in a cluster (docs/PROTOCOL.md §12). Without one, the broker stands alone.
public struct ClusterConfig: Sendable {
    /// CLUSTER_SECRET: brokers prove they hold it in every peer message.
    public var secret: [UInt8]
    /// PEER_HELLO period on every link.
    public var peerHeartbeat: Int64 = 100_000
    /// Missed PEER_HELLOs after which a link is down and its streams offline (800 ms by default).
    public var peerMisses = 8
    /// First resend of a snapshot the peer has not acknowledged (or twice the link's RTT, when longer), doubled
    /// on each further resend up to `peerHeartbeat`. A peer acknowledges an applied snapshot at once.
    public var snapshotRetry: Int64 = 20_000
    /// Links a broker keeps at most (configured or not).
    public var maxPeers = 32
    /// Streams one peer may announce (beyond them its announcement is cut, counted).
    public var maxAnnouncedPerPeer = 1024
    /// Interest entries one peer may hold here.
    public var maxInterestPerPeer = 4096
    /// Pages of one snapshot sent to one peer per heartbeat when resending (a restart does not flood).
    public var maxPagesPerTick = 8

    public init(secret: [UInt8]) { self.secret = secret }
    public var linkTimeout: Int64 { peerHeartbeat * Int64(peerMisses) }
}
