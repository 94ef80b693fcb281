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
    /// Mesh links a broker keeps at most (configured or not).
    public var maxPeers = 32
    /// Edges (children) one broker serves at most; one more is refused (counted `edge_limit`).
    public var maxEdges = 64
    /// Streams one peer may announce (beyond them its announcement is cut, counted).
    public var maxAnnouncedPerPeer = 1024
    /// Interest entries one peer may hold here.
    public var maxInterestPerPeer = 4096
    /// Pages of one snapshot sent to one peer per heartbeat when resending (a restart does not flood).
    public var maxPagesPerTick = 8

    /// PEER_HELLO period on tree links (an edge and its upstream), while a broker has any: short enough that an
    /// edge finds a silent upstream well inside the latency budget (250 ms), so what its clients missed just
    /// before the upstream hung is still worth fetching from the next one.
    public var treeHeartbeat: Int64 = 50_000
    /// Missed tree PEER_HELLOs after which an edge gives up its upstream and links to the next one (200 ms by
    /// default): sooner than a mesh link goes down, because the edge's clients wait for it.
    public var upstreamMisses = 4

    public init(secret: [UInt8]) { self.secret = secret }
    public var linkTimeout: Int64 { peerHeartbeat * Int64(peerMisses) }
    public var upstreamTimeout: Int64 { treeHeartbeat * Int64(upstreamMisses) }
}
