import Wire

/// What one subscriber's HEARTBEAT receiver reports say it received, as the broker keeps it: totals since its
/// session's first report, the last interval's figures, and whether it has stopped reading.
public struct ReceiverFigures: Sendable {
    /// Datagrams received and lost, summed over the intervals between this session's reports.
    public internal(set) var received = 0
    public internal(set) var lost = 0
    /// The same between the last two reports.
    public internal(set) var lastReceived = 0
    public internal(set) var lastLost = 0
    public internal(set) var reports = 0
    /// True while the reports show nothing received for `unreadAfter` though a subscribed stream flows: a
    /// subscriber that stopped reading its socket (its queue at the broker fills, its kernel drops).
    public internal(set) var unread = false
    private var last: ReceiverReport?
    /// When a report last showed something received (or the first report came).
    private var lastProgress: Int64 = 0
    /// When the last report came.
    private(set) var lastAt: Int64 = 0

    /// Takes a report; returns how long nothing has been received (0 when this report shows progress), or nil
    /// for the first report, which only sets the starting point (its counts include what came before this
    /// session).
    mutating func take(_ r: ReceiverReport, now: Int64) -> Int64? {
        reports += 1
        lastAt = now
        defer { last = r }
        guard let prev = last else {
            lastProgress = now
            return nil
        }
        lastReceived = Int(r.received &- prev.received)
        lastLost = Int(r.lost &- prev.lost)
        received += lastReceived
        lost += lastLost
        if lastReceived > 0 {
            lastProgress = now
            unread = false
        }
        return now - lastProgress
    }

    /// Sets the unread verdict (the caller knows whether the subscriber's streams flow).
    mutating func mark(unread: Bool) { self.unread = unread }
}
