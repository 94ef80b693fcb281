import Wire

/// A client's SUBSCRIBE, UNSUBSCRIBE and LIST: selectors held, acknowledged with what they match now, the join
/// frame of what is online.
extension BrokerCore {
    mutating func subscribe(_ r: SubscriptionRequest, from: PeerAddress, now: Int64) {
        counters.subscribeRequests += 1
        let sel = r.selector
        guard sel.rawValue >> 8 != 0 else {
            sendError(to: from, requestID: r.requestID, .badRequest, "producer id 000000 is not valid")
            return
        }
        let matched = streamTable.matching(sel)
        var s = table[from]!
        let isNew = !s.selectors.contains(sel)
        if isNew {
            guard s.selectors.count < limits.maxSubscriptionsPerClient else {
                sendError(to: from, requestID: r.requestID, .limitReached, "at most \(limits.maxSubscriptionsPerClient) subscriptions per client")
                return
            }
            // Following a producer before it is online is allowed (it waits), but bounded: a client cannot make
            // the broker hold any number of selectors for ids nobody has announced.
            if matched.isEmpty && !r.isResume && waitingCount(s) >= limits.maxWaitingPerClient {
                sendError(
                    to: from, requestID: r.requestID, .limitReached,
                    "at most \(limits.maxWaitingPerClient) subscriptions per client may wait for producers this broker does not know")
                return
            }
            s.selectors.insert(sel)
            table[from] = s
            subscriptions.add(sel, from)
            if let slot = s.slot {
                streamTable.subscribe(Subscriber(slot: slot, address: from), to: matched)
                fanoutUpdates += matched.count
            }
        }
        sendControl(.ack(Ack(requestID: r.requestID, selector: sel, status: status(of: matched))), to: from)
        if isNew {
            events.push(matched.isEmpty ? .subscribedWaiting(from, sel) : .subscribed(from, sel))
        }
        if isNew, let slot = s.slot {
            interestChanged()
            // Join: the last complete frame of each stream at once, so the first picture needs no wait.
            for id in matched { sendJoinFrame(id, to: Subscriber(slot: slot, address: from)) }
        }
    }

    /// Queues the last complete frame of an online stream to one new subscriber (a client, or a peer broker).
    mutating func sendJoinFrame(_ id: StreamID, to sub: Subscriber) {
        guard let st = streamTable[id], st.online, let n = st.cache.lastCompleteNumber else { return }
        let key = FrameKey.of(stream: id, frame: n)
        for d in st.cache.lastComplete { outbox.push(.unicast(DataHeader.markedCached(d), frameKey: key, to: sub)) }
        counters.cachedFramesSent += 1
    }

    mutating func unsubscribe(_ r: SubscriptionRequest, from: PeerAddress) {
        let sel = r.selector
        var s = table[from]!
        var removed: [StreamID] = []
        if sel.isProducerSelector {
            removed = s.selectors.filter { $0.producer == sel.producer }
        } else if s.selectors.contains(sel) {
            removed = [sel]
        } else if s.selectors.contains(StreamID(producer: sel.producer, index: 0)) {
            sendError(to: from, requestID: r.requestID, .notSubscribed, "subscribed through \(sel.producer): unsubscribe \(sel.producer) instead")
            return
        }
        for x in removed {
            s.selectors.remove(x)
            subscriptions.remove(x, from)
        }
        table[from] = s
        dropFanout(from, keeping: s.selectors, from: removed.flatMap { streamTable.matching($0) })
        interestChanged()
        // Unsubscribing what is not held is answered with an ACK too: the request is idempotent.
        sendControl(.ack(Ack(requestID: r.requestID, selector: sel, status: status(of: streamTable.matching(sel)))), to: from)
        if !removed.isEmpty { events.push(.unsubscribed(from, sel)) }
    }

    /// The ACK status for the streams a selector matches: online if one is, waiting if none is known.
    private func status(of matched: [StreamID]) -> AckStatus {
        if matched.isEmpty { return .waiting }
        return matched.contains { streamTable.isOnline($0) } ? .online : .offline
    }

    /// How many of a client's selectors match no stream the broker knows (they wait for a producer).
    private func waitingCount(_ s: PeerSession) -> Int { s.selectors.count { streamTable.matching($0).isEmpty } }

    mutating func list(requestID: UInt32, to: PeerAddress) {
        let all = streamTable.all.sorted { $0.id < $1.id }
        let total = UInt16(clamping: all.count)
        var first = 0
        repeat {
            let part = all[first..<min(all.count, first + WireConstants.maxListEntriesPerDatagram)]
            let entries = part.map {
                ListEntry(
                    stream: $0.id, state: $0.online ? .online : .offline, rateMilli: $0.rateMilli, subscribers: UInt32($0.subscribers.count),
                    origin: $0.online ? $0.origin : 0)
            }
            sendControl(.listReply(ListReply(requestID: requestID, total: total, first: UInt16(first), entries: entries)), to: to)
            first += WireConstants.maxListEntriesPerDatagram
        } while first < all.count
    }
}
