import Wire

/// The core's side of the cluster: what the `PeerMesh` hands it (a peer's streams and interest, links up and down)
/// applied to the stream table, the sessions and the fan-out. A peer is a session of role `.broker`: its slot gets a
/// queue in the fan-out like a client's, so the origin sends each stream once per interested broker, with the same
/// batching, whole-frame dropping and NACK answering as for clients.
extension BrokerCore {
    /// Every link to another broker, by its address.
    public var peerLinks: [PeerAddress: PeerLink] { mesh?.links ?? [:] }

    /// The addresses BROKER_PEERS resolves to now (see `PeerMesh.setPeers`).
    public mutating func setPeers(_ addresses: [PeerAddress], now: Int64) { mesh?.setPeers(addresses, now: now) }

    /// BROKER_UPSTREAM resolved, in order of preference: this broker is an edge (see `PeerMesh+Tree.swift`).
    public mutating func setUpstreams(_ addresses: [PeerAddress], now: Int64) {
        mesh?.setUpstreams(addresses, now: now)
        applyMeshActions(now: now)
    }

    /// The upstream this edge links to now (nil: not an edge).
    public var upstream: PeerAddress? { mesh?.upstream }

    /// The link token this broker gives the broker `holder` at `address` (0 for a broker alone).
    public func linkToken(for address: PeerAddress, holder: UInt64) -> UInt64 { mesh?.linkToken(for: address, holder: holder) ?? 0 }

    /// Whether a stream may go to a session: always to clients; to a peer broker as the mesh's rule says
    /// (`PeerMesh.mayForward`: one hop in the mesh, and in a tree never back the way it came), the only place it is
    /// decided.
    func mayForward(_ st: BrokerStream, to a: PeerAddress, role: PeerRole) -> Bool {
        role != .broker || (mesh?.mayForward(st, to: a) ?? !st.remote)
    }

    /// A peer message whose tag checks.
    mutating func handlePeer(_ m: Message, from: PeerAddress, now: Int64) {
        mesh?.handle(m, from: from, peerSession: table[from]?.role == .broker, streams: streamTable, blocks: blocks, now: now)
        applyMeshActions(now: now)
    }

    /// Applies what the mesh asked for, in order (an action may queue more: a link coming up is greeted).
    mutating func applyMeshActions(now: Int64) {
        while let a = mesh?.actions.pop() { apply(a, now: now) }
    }

    private mutating func apply(_ action: MeshAction, now: Int64) {
        switch action {
        case .send(let to, let bytes): outbox.push(.send(to: to, bytes))
        case .cookie(let to, let bytes):
            counters.cookiesSent += 1
            outbox.push(.send(to: to, bytes))
        case .heard(let a, let cameUp, let id):
            if cameUp { events.push(.peerUp(a, brokerID: id)) }
            ensurePeerSession(a, now: now)
            if cameUp { mesh?.greet(a, streams: streamTable, blocks: blocks, now: now) }
        case .down(let a, let wasUp):
            if wasUp { events.push(.peerDown(a)) }
            let lost = streamTable.remote(ownedBy: a)
            for id in lost { setOffline(id, now: now) }
            if !lost.isEmpty && mesh?.isTree == true { mesh?.reaskAnnouncements(now: now) }
            if table[a]?.role == .broker { endSession(a, now: now) }
        case .announced(let entries, let from): applyAnnouncement(entries, from: from, now: now)
        case .interest(let wanted, let from): applyInterest(wanted, from: from)
        case .blocks(let entries, let from): takeBlocks(entries, from: from, now: now)
        case .refused(let reason, let count): counters.refused[reason] += count
        case .event(let e): events.push(e)
        }
    }

    /// The mesh's timers, in the order the core has always run them.
    mutating func handleMeshTimeout(now: Int64) {
        guard let m = mesh else { return }
        if now >= m.nextTick {
            mesh!.tick(streams: streamTable, blocks: blocks, now: now)
            applyMeshActions(now: now)
        }
        mesh!.retrySnapshots(streams: streamTable, now: now)
        applyMeshActions(now: now)
        mesh!.repeatBlocks(blocks: blocks, now: now)
        applyMeshActions(now: now)
        mesh!.flush(streams: streamTable, now: now)
        applyMeshActions(now: now)
    }

    /// Local streams or their set changed: a new announcement goes to the peers on the next turn.
    mutating func announcementChanged() { mesh?.announceDirty = true }
    /// Who receives what changed: each peer's interest is recomputed on the next turn.
    mutating func interestChanged() { mesh?.interestDirty = true }

    /// A peer session in the session table: a slot for the fan-out, its interest as selectors.
    private mutating func ensurePeerSession(_ from: PeerAddress, now: Int64) {
        if var s = table[from], s.role == .broker {
            s.lastHeard = now
            table[from] = s
            return
        }
        if table[from] != nil { endSession(from, now: now) }
        // Its NACKs carry the link token we gave this run of it.
        let token = peerLinks[from]?.brokerID.map { linkToken(for: from, holder: $0) } ?? 0
        var s = PeerSession(address: from, role: .broker, token: token, lastHeard: now)
        s.slot = table.allocateSlot()
        table[from] = s
    }

    /// A peer's announcement: the streams its producers have online now (or, over a tree link, every stream the
    /// link carries). Our own streams coming back would be a loop: dropped.
    private mutating func applyAnnouncement(_ entries: [PeerAnnounceEntry], from: PeerAddress, now: Int64) {
        var announced = Set<StreamID>()
        for e in entries {
            guard e.origin != originTag else {
                refuse(.loop)
                continue
            }
            announced.insert(e.stream)
            // Another owner's stream changes hands only for a better claim; the same peer's entry always updates it
            // (a new nonce after its producer reconnected, a new rate).
            if let s = streamTable[e.stream], s.online, s.owner != from, !s.loses(to: e.claim, tag: e.origin),
                !(s.remote && s.claim == e.claim && mesh?.takesOver(from, owner: s.owner) == true) { continue }
            if let s = streamTable[e.stream], s.online, !s.remote, let owner = s.owner {
                // Our producer of this id has moved to the peer (a newer claim): its session here ends.
                events.push(.producerMoved(e.stream.producer, from: owner, to: from))
                endSession(owner, now: now)
            }
            // A stream changing path (owner) changes which links may carry it, not the entries: a new version anyway.
            if let s = streamTable[e.stream], s.online, s.remote, s.owner != from, mesh?.isTree == true { mesh?.lastAnnouncement = [] }
            registerRemote(e, from: from, now: now)
        }
        for id in streamTable.remote(ownedBy: from) where !announced.contains(id) {
            setOffline(id, now: now)
        }
        interestChanged()
        // In a tree, what we pass on is part of our own announcement.
        if mesh?.isTree == true { announcementChanged() }
    }

    private mutating func registerRemote(_ e: PeerAnnounceEntry, from: PeerAddress, now: Int64) {
        let key = StreamKeys.mediaKey(streamKey: StreamKeys.streamKey(secret: publishSecret, producer: e.stream.producer), nonce: e.nonce)
        guard let changed = streamTable.registerRemote(e, owner: from, origin: e.origin, mediaKey: key, limits: limits) else {
            events.push(.streamRefused(e.stream, maxStreams: limits.maxStreams))
            return
        }
        streamTimers.set(e.stream, at: streamTable.deadline(of: e.stream))
        if changed {
            refreshSubscribers(of: e.stream)
            notify(e.stream, .online)
        }
    }

    /// A peer's interest: the streams of ours it wants. A selector for a stream we may not forward to it is kept,
    /// in case the stream comes here.
    private mutating func applyInterest(_ wanted: Set<StreamID>, from: PeerAddress) {
        guard var s = table[from], s.role == .broker, let slot = s.slot else { return }
        let removed = s.selectors.subtracting(wanted)
        let added = wanted.subtracting(s.selectors)
        for id in removed {
            subscriptions.remove(id, from)
            streamTable.unsubscribe(from, from: id)
        }
        for id in added { subscriptions.add(id, from) }
        s.selectors = wanted
        table[from] = s
        for id in added {
            guard let st = streamTable[id], st.online, mayForward(st, to: from, role: .broker) else { continue }
            streamTable.subscribe(Subscriber(slot: slot, address: from), to: [id])
            sendJoinFrame(id, to: Subscriber(slot: slot, address: from))
        }
        // In a tree, a child's interest is ours towards whoever sends us the stream.
        if mesh?.isTree == true { interestChanged() }
    }
}
