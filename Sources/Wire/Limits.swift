/// Protocol constants fixed by version 1 of the wire format.
public enum WireConstants {
    public static let magic: UInt16 = 0x5642  // "VB"
    public static let version: UInt8 = 1
    /// Largest datagram (UDP payload) any peer sends; IP fragmentation is never relied on.
    public static let maxDatagram = 1400
    /// The DATA header, its 8-byte MAC (offset 36) included.
    public static let dataHeaderSize = 44
    /// Payload bytes in every chunk of a frame but the last.
    public static let chunkPayload = maxDatagram - dataHeaderSize  // 1356
    /// A HELLO is padded to at least this size, so the broker's answer is never larger than the question.
    public static let helloMinSize = 64
    /// A COOKIE answering a HELLO carries the broker's challenge after the nonce and token.
    public static let cookieWithChallengeSize = 28
    /// Largest frame of protocol version 1 (a receiver may be configured lower, never higher).
    public static let maxFrameBytes = 1 << 20
    public static let maxNackRanges = 64
    public static let maxStreamsPerProducer = 16
    public static let maxReasonBytes = 200
    public static let listEntrySize = 16
    public static let listHeaderSize = 16
    /// A LIST_REPLY page, with the 12-byte control trailer every broker-to-peer control message ends in, fits 1400.
    public static let maxListEntriesPerDatagram = (maxDatagram - listHeaderSize - 12) / listEntrySize  // 85
}

/// Every resource bound of the system, named. Defaults are documented in docs/PROTOCOL.md.
public struct Limits: Sendable, Equatable {
    /// Largest frame a producer may send or a receiver reassembles.
    public var maxFrameBytes = WireConstants.maxFrameBytes
    /// Chunks per frame, derived from `maxFrameBytes`.
    public var maxChunksPerFrame: Int { (maxFrameBytes + WireConstants.chunkPayload - 1) / WireConstants.chunkPayload }
    /// Frames of one stream being reassembled at once (older ones are dropped, counted).
    public var maxFramesInFlight = 64
    /// Bytes held by one stream's retransmit buffer (producer and broker).
    public var retransmitBufferBytes = 1 << 20
    /// Subscribers (clients with a session) the broker accepts.
    public var maxSubscribers = 2048
    /// Subscriptions one client may hold.
    public var maxSubscriptionsPerClient = 64
    /// Of those, subscriptions to streams the broker does not know yet (waiting for their producer) that a
    /// client may add by asking (resumed subscriptions after a reconnect are not counted against it).
    public var maxWaitingPerClient = 8
    /// Streams the broker tracks (online or offline).
    public var maxStreams = 256
    /// Producers the broker accepts.
    public var maxProducers = 128
    /// Datagrams waiting in one subscriber's send queue before whole frames are dropped.
    public var subscriberQueueDatagrams = 2048
    /// Missing sequence numbers one receiver tracks per stream.
    public var maxTrackedGaps = 4096
    /// Bytes of one stream's frames being reassembled at once (the oldest frame is dropped beyond it).
    public var maxBytesInFlight = 8 << 20
    /// Frames the broker's join cache assembles at once per stream (to keep the last complete one).
    public var maxCachedFramesBuilding = 8
    /// Datagrams the broker resends for one NACK datagram (the rest is asked for again).
    public var maxResendsPerNack = 1024
    /// Sequence numbers the broker looks at in one peer's NACKs per turn of its event loop (everything fed between
    /// two drains of its outputs); NACKs past it are dropped and counted, so a NACK storm costs its sender, not
    /// the other subscribers whose media waits for the turn to end.
    public var maxNackSequencesPerTurn = 2048
    /// Recently resent datagrams the broker remembers per subscriber, to resend one at most once per RTT.
    public var maxRecentResends = 4096
    /// Due leases the broker looks at in one turn (renewed or expired); the rest wait for the next turn, so a
    /// mass expiry is spread over turns with media forwarded in between.
    public var maxLeaseChecksPerTurn = 128
    /// Share of the bytes a subscriber's streams deliver that the broker may resend to it (its retransmit
    /// budget's refill), in percent, and the most it may hold (also its start): a NACK storm draws at most this.
    /// Not lower: with 10 ms of jitter, late frame tails alone draw resends of about 30 % of the media.
    public var retransmitBudgetPercent = 100
    public var retransmitBurstBytes = 256 * 1024
    /// Per source network (IPv4 /24, IPv6 /64): HELLOs and session-less requests the broker acts on per second
    /// and at once, and SUBSCRIBE/UNSUBSCRIBE/LIST_REQUEST of its sessions; beyond that they are dropped,
    /// counted. Generous enough for thousands of peers behind one NAT joining within seconds.
    public var sourceHandshakesPerSecond = 2_000
    public var sourceHandshakeBurst = 4_000
    public var sourceRequestsPerSecond = 4_000
    public var sourceRequestBurst = 8_000
    /// Source networks the broker keeps a bucket for; beyond that, new ones share one bucket.
    public var maxLimitedSources = 4_096

    public init() {}
}

/// Every timer of the protocol, in microseconds, with its default.
public struct Timers: Sendable, Equatable {
    /// Heartbeat period of producers and clients.
    public var heartbeatInterval: Int64 = 500_000
    /// Missed heartbeats after which the broker expires a lease (and a peer declares the broker lost).
    public var leaseMisses = 6
    /// Latency budget: a frame not complete this long after its first chunk arrived is dropped whole.
    public var latencyBudget: Int64 = 250_000
    /// Times one missing datagram is asked for at most.
    public var maxNacksPerDatagram = 16
    /// Delay before the first NACK of a gap, to let reordered datagrams arrive.
    public var nackReorderDelay: Int64 = 2_000
    /// How long a stream must be quiet short of a frame's last chunk before that tail is presumed lost: adapted
    /// per stream between `minTailQuiet` and `tailQuiet` (doubled after a spurious tail NACK, eased back 1/16 per
    /// frame whose tail came unasked), and never below the retry interval. A busy relay or broker may space one
    /// frame's chunks by milliseconds.
    public var minTailQuiet: Int64 = 5_000
    public var tailQuiet: Int64 = 20_000
    /// Lower and upper bounds of the retransmission/NACK spacing derived from the RTT estimate.
    public var minRetryInterval: Int64 = 5_000
    public var maxRetryInterval: Int64 = 100_000
    /// RTT assumed before any measurement.
    public var initialRTT: Int64 = 20_000
    /// First retry delay of HELLO/SUBSCRIBE/UNSUBSCRIBE/LIST, doubled each time up to `maxRequestBackoff`.
    public var requestRetry: Int64 = 50_000
    public var maxRequestBackoff: Int64 = 2_000_000
    /// A request unanswered this long is reported to the user as timed out (it is retried again on reconnect).
    public var requestTimeout: Int64 = 10_000_000
    /// A client that receives a frame captured more than this after the newest it had of the stream (the stream was
    /// cut off: a peer link down and healed, its producer away) gives up the gap instead of NACKing it: repaired,
    /// those frames would be too old to show and would hold the live ones back (frames are handed on in order).
    public var outageSkip: Int64 = 1_000_000
    /// Failover (peers given several brokers only). A client that hears no DATA for `probePercent`% of the
    /// smoothed gap between frame starts (at least `minProbeSilence`) sends one HEARTBEAT, and another every gap
    /// while the silence lasts: it asks nothing, but a killed broker's host answers it with ICMP port unreachable,
    /// so a `kill -9` costs about one and a half frame intervals instead of a whole suspicion.
    /// Silence longer than `silenceFrames` gaps (at least `minSilence`) makes the peer suspect its broker: it
    /// sends a heartbeat at once and repeats it every `suspectRepeat`; with no answer at all within
    /// `suspectTimeout` (or twice the RTT's retransmission timeout, when longer), counted from the first early
    /// probe that went unanswered but lasting at least `minConfirm`, it moves to the next broker. Repeating the
    /// probe is what keeps 10% loss from causing moves: all six or more round trips must fail. A new broker
    /// that has not welcomed the peer within `failoverHelloTimeout` is left for the next one as well.
    public var probePercent: Int64 = 150
    public var minProbeSilence: Int64 = 10_000
    public var silenceFrames: Int64 = 3
    public var minSilence: Int64 = 40_000
    public var suspectRepeat: Int64 = 10_000
    public var suspectTimeout: Int64 = 80_000
    /// The least a suspicion lasts, however long the early probes have gone unanswered: four more probes.
    public var minConfirm: Int64 = 40_000
    public var failoverHelloTimeout: Int64 = 1_000_000
    /// A failover producer's heartbeat interval (when the broker asks for a longer one): it hears nothing but
    /// heartbeat answers from its broker, so this bounds how late it notices a hung one. It suspects its broker
    /// when an answer is `producerGrace` (or the RTT's retransmission timeout, when longer) overdue.
    public var failoverProducerHeartbeat: Int64 = 50_000
    public var producerGrace: Int64 = 20_000
    /// A peer's core called this much later than its own deadline was stalled itself (a loaded host, SIGSTOP): the
    /// time past the deadline does not count as its broker's silence (`StallWatch`). Timer wake-ups on a quiet host
    /// are late by well under a millisecond.
    public var stallTolerance: Int64 = 5_000
    /// On a loaded host (`StallWatch.recentLateness`, the latest wake-up of the last 5 s) every silence a failover
    /// peer judges gets `loadFactor` times that lateness more, at most `maxLoadAllowance`: the broker waits for the
    /// CPU too. Nothing changes on a quiet host.
    public var loadFactor: Int64 = 4
    public var maxLoadAllowance: Int64 = 200_000

    public init() {}
    public var leaseDuration: Int64 { heartbeatInterval * Int64(leaseMisses) }
}
