import Wire

/// The broker's side of its link to one other broker: liveness and RTT from PEER_HELLOs, and the two snapshots
/// (announcements, interest) each way with the versions that acknowledge them.
public struct PeerLink: Sendable {
    public let address: PeerAddress
    /// Listed in BROKER_PEERS (a link a peer opened to us is kept only while it is up).
    public internal(set) var configured: Bool
    /// The entry is this broker itself (its own PEER_HELLO came back): ignored.
    public internal(set) var isSelf = false
    public internal(set) var brokerID: UInt64?
    /// The ids of the peer's runs before this one (the newest `maxRetiredIDs`): a message of theirs is a replay.
    public internal(set) var retiredIDs: [UInt64] = []
    public static let maxRetiredIDs = 8
    public internal(set) var up = false
    public internal(set) var since: Int64 = 0
    public internal(set) var lastHeard: Int64 = 0
    public internal(set) var rtt = RTTEstimator(initial: 0)
    /// The cookie the peer gave our address: it goes in everything we send it.
    var token: UInt64 = 0
    /// The send times of our last PEER_HELLOs (a ring): a COOKIE answering any of them is taken, so a peer further
    /// away than one heartbeat still links.
    var recentHellos: [UInt64] = []
    /// The newest send time of theirs we accepted: an older or repeated PEER_HELLO (delayed, duplicated, replayed)
    /// changes nothing.
    var theirSendTime: UInt64 = 0
    var echo: UInt64 = 0
    var echoHeardAt: Int64 = 0
    /// Their snapshots we have applied, and the pages of newer ones being collected.
    var theirAnnounce: UInt32 = 0
    var theirInterest: UInt32 = 0
    var announcePages: [UInt8: [PeerAnnounceEntry]] = [:]
    var announcePending: UInt32 = 0
    var interestPages: [UInt8: [StreamID]] = [:]
    var interestPending: UInt32 = 0
    /// Ours to them: what they acknowledged, and our interest in their streams.
    var announceAcked: UInt32 = 0
    public internal(set) var interest: Set<StreamID> = []
    var interestVersion: UInt32 = 0
    var interestAcked: UInt32 = 0
    /// When to resend the snapshots the peer has not acknowledged (`.max`: all acknowledged), and the last delay.
    var snapshotRetryAt: Int64 = .max
    var snapshotRetryDelay: Int64 = 0
    /// Where the next resend of each snapshot starts (pages rotate, `maxPagesPerTick` per tick).
    var announceCursor = 0
    var interestCursor = 0
    var blocksCursor = 0
    public internal(set) var counters = Counters()

    public struct Counters: Sendable {
        public var datagramsIn = 0
        public var bytesIn = 0
        public var dataIn = 0
        public var dataOut = 0
        public var bytesOut = 0
        public var controlOut = 0
        public var nacksIn = 0
        public var nacksOut = 0
        public var snapshotsApplied = 0
    }

    init(address: PeerAddress, configured: Bool) {
        self.address = address
        self.configured = configured
    }

    /// Remembers a run of the peer that a newer one replaced.
    mutating func retire(_ id: UInt64) {
        guard !retiredIDs.contains(id) else { return }
        retiredIDs.append(id)
        if retiredIDs.count > Self.maxRetiredIDs { retiredIDs.removeFirst() }
    }

    public var originTag: UInt32? { brokerID.map { ClusterKey.originTag(brokerID: $0) } }
}
