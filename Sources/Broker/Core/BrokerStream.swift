import Wire

/// A stream as the broker tracks it.
public struct BrokerStream: Sendable {
    public let id: StreamID
    public internal(set) var kind: StreamKind
    public internal(set) var rateMilli: UInt32
    public internal(set) var online: Bool
    public internal(set) var owner: PeerAddress?
    /// The owner session's media key: every DATA datagram received for the stream must carry its MAC.
    var mac: DataMAC?
    /// The key before the last change of nonce, still accepted: a HELLO of an earlier session replayed from the
    /// producer's own address (on path) makes its key current, but the genuine DATA verifies under this one and
    /// puts it back in front, so a replay cannot black the producer out.
    var previousMac: DataMAC?
    /// Owned by a producer of another broker (`owner` is that peer's address), or of ours.
    public internal(set) var remote = false
    /// The origin tag of the broker whose producer owns the stream (ours for a local one).
    public internal(set) var origin: UInt32 = 0
    /// The claim the owner's session holds on the producer id (the higher claim wins across the cluster).
    public internal(set) var claim: UInt32 = 0
    /// The owner session's HELLO nonce (announced to peers so they can derive the media key).
    public internal(set) var nonce: UInt64 = 0
    /// Who the stream's datagrams go to, kept incrementally.
    var fanout = FanoutList()
    public var subscribers: [Subscriber] { fanout.members }
    public internal(set) var framesIn = 0
    public internal(set) var datagramsIn = 0
    public internal(set) var bytesIn = 0
    public internal(set) var datagramsForwarded = 0
    /// Frames completed per second, measured over the last sweep interval.
    public internal(set) var measuredRate = 0.0
    var framesAtLastMeasure = 0
    public internal(set) var offlineSince: Int64 = 0
    /// When the stream last came online (monotonic µs), 0 if never.
    public internal(set) var onlineSince: Int64 = 0
    var detector: LossDetector
    var buffer: RetransmitBuffer
    var cache = FrameCache()
    public var lossCounters: LossDetector.Counters { detector.counters }

    /// Whether a claim (with the claimant's origin tag) beats this stream's owner: the higher claim, then the higher
    /// tag. Every broker compares the same numbers, so all pick the same owner.
    func loses(to claim: UInt32, tag: UInt32) -> Bool { claim != self.claim ? claim > self.claim : tag > origin }

    /// A new session may number from anywhere: loss tracking and the frame cache start afresh.
    mutating func restartLossTracking() {
        detector.reset()
        cache.reset()
    }
}
