import Wire

/// The streams the broker tracks, online or offline, bounded by `limits.maxStreams`.
struct StreamTable: Sendable {
    var byID: [StreamID: BrokerStream] = [:]

    /// Frees a slot if the table is full, by forgetting the stream that has been offline longest. False when
    /// every tracked stream is online.
    mutating func makeRoom(limit: Int) -> Bool {
        if byID.count < limit { return true }
        let victim = byID.values.filter { !$0.online }.min { $0.offlineSince < $1.offlineSince }
        guard let v = victim else { return false }
        byID[v.id] = nil
        return true
    }

    /// The tracked streams a selector covers.
    func matching(_ selector: StreamID) -> [StreamID] {
        if selector.isProducerSelector { return byID.keys.filter { selector.covers($0) } }
        return byID[selector] != nil ? [selector] : []
    }

    /// The streams of one producer.
    func streams(of producer: ProducerID) -> [StreamID] { byID.keys.filter { $0.producer == producer } }
}
