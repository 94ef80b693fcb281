import Wire

/// Which clients hold which selectors (a stream id, or a producer's selector for all its streams).
struct SubscriptionTable: Sendable {
    private var holders: [StreamID: Set<PeerAddress>] = [:]

    mutating func add(_ selector: StreamID, _ client: PeerAddress) { holders[selector, default: []].insert(client) }

    mutating func remove(_ selector: StreamID, _ client: PeerAddress) {
        holders[selector]?.remove(client)
        if holders[selector]?.isEmpty == true { holders[selector] = nil }
    }

    /// The clients whose selectors cover stream `id`: its own and its producer's.
    func clients(covering id: StreamID) -> Set<PeerAddress> {
        var set = holders[id] ?? []
        set.formUnion(holders[StreamID(producer: id.producer, index: 0)] ?? [])
        return set
    }
}
