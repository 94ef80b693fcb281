import Wire

extension BrokerCore {
    /// What a subscriber NACKs and this broker never had (it carried the stream only from when a client moved
    /// here, or the producer moved to another broker and its first datagrams there went to a hung one) is asked of
    /// the stream's owner, a peer broker or the producer: the stream's own loss detector takes it as gaps, so the
    /// NACKs upstream are paced and bounded like any other, and the repair is forwarded to the subscribers
    /// (those who had it drop it as a duplicate).
    mutating func fetchMissing(_ n: Nack, from: PeerAddress, now: Int64, maxSequences: Int) {
        guard var st = streamTable.take(n.stream) else { return }
        defer { streamTable.put(st) }
        guard st.online, let owner = st.owner, owner != from, table[from]?.selectors.contains(where: { $0.covers(n.stream) }) == true else { return }
        var budget = min(maxSequences, limits.maxResendsPerNack)
        var added = false
        for r in n.ranges {
            var seq = r.start
            for _ in 0..<Int(r.count) {
                guard budget > 0 else { break }
                budget -= 1
                if !st.buffer.contains(seq), st.detector.want(seq, now: now) { added = true }
                seq &+= 1
            }
        }
        if added { streamTimers.set(n.stream, at: st.detector.deadline) }
    }
}
