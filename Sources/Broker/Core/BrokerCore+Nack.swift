import Wire

extension BrokerCore {
    /// A client's (or a peer broker's) NACK: answered from the stream's retransmit buffer, and what this broker never
    /// had is asked of the stream's owner. Each session may have at most `maxNackSequencesPerTurn` sequence numbers
    /// looked at per turn; past it its NACKs are dropped unread and counted, so a storm costs its sender, not the
    /// subscribers whose media waits for the turn to end.
    mutating func handleNack(_ n: Nack, from: PeerAddress, now: Int64) {
        guard var s = session(from, token: n.token, answerCookie: false), s.role != .producer else { return }
        mesh?.countNack(from: from)
        s.lastHeard = now
        if n.rttMicros > 0 { s.rttMicros = Int64(n.rttMicros) }
        counters.nacksIn += 1
        let named = n.ranges.reduce(0) { min(limits.maxResendsPerNack, $0 + Int($1.count)) }
        let allowed = s.takeNackWork(named, turn: turn, limit: limits.maxNackSequencesPerTurn)
        table[from] = s
        guard allowed > 0 else {
            if named > 0 { counters.nacksOverTurnBudget += 1 }
            return
        }
        answerNack(n, from: from, now: now, maxSequences: allowed)
        fetchMissing(n, from: from, now: now, maxSequences: allowed)
    }

    mutating func answerNack(_ n: Nack, from: PeerAddress, now: Int64, maxSequences: Int) {
        guard let st = streamTable[n.stream] else { return }
        guard let slot = table[from]?.slot, table[from]!.selectors.contains(where: { $0.covers(n.stream) }) else { return }
        var s = table.remove(from)!  // changed in place, not copied (see handleData)
        defer { table[from] = s }
        retransmitter.answer(
            n, from: st.buffer, streamBytesIn: st.bytesIn, to: Subscriber(slot: slot, address: from), session: &s, now: now,
            maxSequences: maxSequences, counters: &counters, outbox: &outbox)
    }
}
