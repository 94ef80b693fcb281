import Wire

/// A stream as the broker tracks it.
public struct BrokerStream: Sendable {
    public let id: StreamID
    public internal(set) var kind: StreamKind
    public internal(set) var rateMilli: UInt32
    public internal(set) var online: Bool
    public internal(set) var owner: PeerAddress?
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
}
