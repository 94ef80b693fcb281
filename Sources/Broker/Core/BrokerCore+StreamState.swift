import Wire

/// A stream going offline, its subscribers told, and who receives it recomputed.
extension BrokerCore {
    mutating func setOffline(_ id: StreamID, now: Int64, reason: StreamOfflineReason = .producerOffline) {
        guard let was = streamTable.setOffline(id, now: now) else { return }
        streamTimers.cancel(id)
        if !was.remote || mesh?.isTree == true { announcementChanged() }
        interestChanged()
        history.record(id, online: false, from: nil, now: now, reason: reason.description)
        notify(id, .offline)
    }

    mutating func notify(_ id: StreamID, _ state: StreamState) {
        guard let s = streamTable[id] else { return }
        let m = Message.streamStatus(StreamStatus(stream: id, state: state, rateMilli: s.rateMilli)).encode()
        for sub in s.subscribers { sendControl(m, to: sub.address) }
    }

    /// Rebuilds the fan-out list of one stream from the selector index (when the stream comes online: once per
    /// stream, not per subscriber change).
    mutating func refreshSubscribers(of id: StreamID) {
        guard let st = streamTable[id] else { return }
        var list = FanoutList()
        let subs = subscriptions.clients(covering: id).compactMap { a -> Subscriber? in
            guard let s = table[a], mayForward(st, to: a, role: s.role) else { return nil }
            return s.slot.map { Subscriber(slot: $0, address: a) }
        }
        for s in subs.sorted(by: { $0.slot < $1.slot }) { list.insert(s) }
        fanoutUpdates += subs.count
        streamTable.update(id) { $0.fanout = list }
    }

    /// Takes a client off the fan-out of the streams in `ids` that none of its remaining selectors covers.
    mutating func dropFanout(_ client: PeerAddress, keeping selectors: Set<StreamID>, from ids: [StreamID]) {
        for id in ids where !selectors.contains(where: { $0.covers(id) }) {
            streamTable.unsubscribe(client, from: id)
            fanoutUpdates += 1
        }
    }
}
