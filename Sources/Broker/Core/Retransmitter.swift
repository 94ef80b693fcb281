import Wire

/// Answers a client's NACK from a stream's retransmit buffer: each datagram at most once per round trip to that
/// client, at most `maxSequences` looked at per NACK (`limits.maxResendsPerNack`, less when the client's
/// `maxNackSequencesPerTurn` is nearly spent), within the client's `RetransmitBudget`, every resend
/// flagged as such.
struct Retransmitter: Sendable {
    let timers: Timers
    let limits: Limits

    /// Queues the resends for `n` to `sub` and records them in the client's session. `streamBytesIn`: the
    /// bytes the stream has received so far, which credit the client's budget.
    func answer(
        _ n: Nack, from buffer: RetransmitBuffer, streamBytesIn: Int, to sub: Subscriber, session s: inout PeerSession, now: Int64,
        maxSequences: Int, counters: inout BrokerCounters, outbox: inout OutputQueue<BrokerOutput>
    ) {
        var allowance = s.retransmitBudget ?? RetransmitBudget(burst: limits.retransmitBurstBytes)
        allowance.credit(n.stream, bytesIn: streamBytesIn, limits: limits)
        defer { s.retransmitBudget = allowance }
        let minInterval = max(s.rttMicros, Int64(n.rttMicros), timers.minRetryInterval / 2)
        var budget = min(maxSequences, limits.maxResendsPerNack)
        for r in n.ranges {
            var seq = r.start
            for _ in 0..<Int(r.count) {
                guard budget > 0 else { break }
                budget -= 1
                defer { seq &+= 1 }
                let key = FrameKey.datagram(stream: n.stream, sequence: seq)
                if let t = s.resent[key], now - t < minInterval {
                    counters.retransmitsThrottled += 1
                    continue
                }
                guard let e = buffer.entry(seq) else {
                    counters.retransmitsUnavailable += 1
                    continue
                }
                guard allowance.spend(e.datagram.count) else {
                    counters.retransmitsOverBudget += 1
                    continue
                }
                outbox.push(.unicast(DataHeader.markedResent(e.datagram), frameKey: DataHeader.frameKey(of: e.datagram), to: sub))
                s.resent[key] = now
                s.retransmits += 1
                counters.retransmitsOut += 1
            }
        }
        forgetOldResends(&s, now: now, minInterval: minInterval)
    }

    /// Keeps the memory of recent resends bounded.
    private func forgetOldResends(_ s: inout PeerSession, now: Int64, minInterval: Int64) {
        guard s.resent.count > limits.maxRecentResends else { return }
        s.resent = s.resent.filter { now - $0.value < minInterval }
        if s.resent.count > limits.maxRecentResends { s.resent.removeAll() }
    }
}
