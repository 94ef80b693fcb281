import Wire

/// The streams the broker tracks, online or offline, bounded by `limits.maxStreams`.
struct StreamTable: Sendable {
    /// Changed only through the verbs below, so every way a stream enters, moves or leaves is one of them.
    private(set) var byID: [StreamID: BrokerStream] = [:]

    subscript(id: StreamID) -> BrokerStream? { byID[id] }
    var ids: Dictionary<StreamID, BrokerStream>.Keys { byID.keys }
    var all: Dictionary<StreamID, BrokerStream>.Values { byID.values }
    func isOnline(_ id: StreamID) -> Bool { byID[id]?.online == true }
    /// When the stream's loss detector next wants to run (`.max`: not tracked, or nothing to wait for).
    func deadline(of id: StreamID) -> Int64 { byID[id]?.detector.deadline ?? .max }

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

    /// The streams another broker owns, online.
    func remote(ownedBy peer: PeerAddress) -> [StreamID] { byID.values.filter { $0.remote && $0.owner == peer }.map(\.id) }

    // MARK: Verbs

    /// A stream tracked from now on, offline until registered; false when the table is full of online streams.
    private mutating func track(_ id: StreamID, kind: StreamKind, rateMilli: UInt32, owner: PeerAddress, limits: Limits) -> Bool {
        if byID[id] != nil { return true }
        guard makeRoom(limit: limits.maxStreams) else { return false }
        byID[id] = BrokerStream(
            id: id, kind: kind, rateMilli: rateMilli, online: false, owner: owner,
            detector: LossDetector(maxTracked: limits.maxTrackedGaps, dropsStale: true), buffer: RetransmitBuffer(bytes: limits.retransmitBufferBytes),
            cache: FrameCache(maxBuilding: limits.maxCachedFramesBuilding))
        return true
    }

    /// One of our producer's streams online under its session (`fresh`: a new session, which may number from
    /// anywhere). Returns whether it was online before (nil: no room; the stream is refused).
    mutating func registerLocal(_ id: StreamID, _ d: StreamDescriptor, session: LocalSession, limits: Limits) -> Bool? {
        guard track(id, kind: d.kind, rateMilli: d.rateMilli, owner: session.owner, limits: limits) else { return nil }
        return update(id) { s in
            let wasOnline = s.online
            s.kind = d.kind
            s.rateMilli = d.rateMilli
            if s.remote && s.online {
                // The producer moved here from a peer's broker: the peer's claim is superseded.
                s.online = false
            }
            s.owner = session.owner
            if s.mac != session.mediaKey {
                s.previousMac = session.fresh ? nil : s.mac
                s.mac = session.mediaKey
            }
            s.remote = false
            s.origin = session.origin
            s.nonce = session.nonce
            if let claim = session.claim { s.claim = claim }
            s.online = true
            if session.fresh || !wasOnline { s.restartLossTracking() }
            return wasOnline
        }
    }

    /// What registers a local stream: its producer's session.
    struct LocalSession {
        var owner: PeerAddress
        var origin: UInt32
        var mediaKey: DataMAC
        var nonce: UInt64
        var claim: UInt32?
        var fresh: Bool
    }

    /// A peer's stream online as it announced it. Returns whether anything the subscribers see changed (it came
    /// online, changed hands or changed session); nil: no room, the stream is refused.
    mutating func registerRemote(_ e: PeerAnnounceEntry, owner: PeerAddress, origin: UInt32, mediaKey: DataMAC, limits: Limits) -> Bool? {
        guard track(e.stream, kind: e.kind, rateMilli: e.rateMilli, owner: owner, limits: limits) else { return nil }
        return update(e.stream) { s in
            let changed = !s.online || s.owner != owner || s.nonce != e.nonce
            let sameOwner = s.online && s.owner == owner
            s.kind = e.kind
            s.rateMilli = e.rateMilli
            s.owner = owner
            s.remote = true
            s.origin = origin
            s.claim = e.claim
            s.nonce = e.nonce
            if s.mac != mediaKey {
                s.previousMac = sameOwner ? s.mac : nil
                s.mac = mediaKey
            }
            s.online = true
            if changed { s.restartLossTracking() }
            return changed
        }
    }

    /// Takes an online stream offline: it has no owner and no key until registered again. Returns it as it was
    /// (nil: not tracked, or offline already).
    mutating func setOffline(_ id: StreamID, now: Int64) -> BrokerStream? {
        guard let was = byID[id], was.online else { return nil }
        update(id) { s in
            s.online = false
            s.owner = nil
            s.mac = nil
            s.previousMac = nil
            s.offlineSince = now
        }
        return was
    }

    /// Changes a tracked stream where it is in the table (the dictionary's in-place access: the stream's buffers
    /// stay uniquely referenced, so changing them copies nothing). Nil when the stream is not tracked.
    @discardableResult
    mutating func update<R>(_ id: StreamID, _ body: (inout BrokerStream) -> R) -> R? {
        guard let i = byID.index(forKey: id) else { return nil }
        return body(&byID.values[i])
    }
}

// MARK: Changing a stream while the core works on it

extension StreamTable {
    /// Takes a stream out of the table while the core changes it with access to its own state (an `update` closure
    /// could not touch the core's outbox or counters); `put` gives it back. Its buffers stay uniquely referenced,
    /// so they are changed in place: a copy left in the table would make every insert copy the retransmit ring.
    mutating func take(_ id: StreamID) -> BrokerStream? { byID.removeValue(forKey: id) }

    /// Gives back a stream taken with `take`.
    mutating func put(_ st: BrokerStream) { byID[st.id] = st }

    /// Adds a subscriber to each stream's fan-out.
    mutating func subscribe(_ s: Subscriber, to ids: [StreamID]) {
        for id in ids { update(id) { $0.fanout.insert(s) } }
    }

    /// Removes an address from a stream's fan-out.
    mutating func unsubscribe(_ address: PeerAddress, from id: StreamID) {
        update(id) { $0.fanout.remove(address) }
    }
}

// MARK: What the cluster reads

extension StreamTable {
    /// The streams our own producers have online, as announced to peers.
    func localAnnouncement() -> [PeerAnnounceEntry] {
        byID.values.filter { $0.online && !$0.remote }.sorted { $0.id < $1.id }.map {
            PeerAnnounceEntry(stream: $0.id, kind: $0.kind, rateMilli: $0.rateMilli, claim: $0.claim, nonce: $0.nonce)
        }
    }

    /// Our interest in a peer's streams: those it owns that are online and have someone here to receive them.
    func wanted(from peer: PeerAddress) -> Set<StreamID> {
        Set(byID.values.filter { $0.remote && $0.online && $0.owner == peer && !$0.fanout.isEmpty }.map(\.id))
    }
}
