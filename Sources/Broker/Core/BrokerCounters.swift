import Wire

/// Broker-wide counters (the I/O layer adds its own for queues and sockets).
public struct BrokerCounters: Sendable {
    public var datagramsIn = 0
    public var bytesIn = 0
    public var dataIn = 0
    public var duplicatesIn = 0
    /// DATA from a stream's owner address whose MAC is wrong: forged (or corrupted) media, dropped.
    public var dataForged = 0
    /// Datagrams that failed to decode, by the kind of their `WireError`.
    public var malformed = ReasonCounts<MalformedReason>()
    /// Datagrams refused for who sent them: no session, wrong token, not the stream's owner.
    public var refused = ReasonCounts<RefusalReason>()
    public var nacksIn = 0
    public var nacksOut = 0
    public var retransmitsOut = 0
    public var retransmitsThrottled = 0
    public var retransmitsUnavailable = 0
    /// Datagrams asked for but not resent: the subscriber's retransmit budget was spent.
    public var retransmitsOverBudget = 0
    /// NACKs dropped unread because their sender used its `maxNackSequencesPerTurn` in this turn.
    public var nacksOverTurnBudget = 0
    public var leasesExpired = 0
    public var cookiesSent = 0
    public var subscribeRequests = 0
    public var errorsSent = 0
    public var cachedFramesSent = 0
}
