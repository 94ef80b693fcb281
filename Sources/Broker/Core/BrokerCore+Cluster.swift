import Wire

/// The broker as a member of a cluster (docs/PROTOCOL.md §12), after NATS routes: every broker links to every other
/// (a full mesh), announces the streams its own producers have online, subscribes at a stream's origin broker for
/// the streams its clients want (interest), and delivers what a peer sends it to its own clients only, never to
/// another peer (one hop, so there are no loops). A peer is a session of role `.broker`: its slot gets a queue in the
/// fan-out like a client's, so the origin sends each stream once per interested broker, with the same batching,
/// whole-frame dropping and NACK answering as for clients.
extension BrokerCore {
    /// Every link to another broker, by its address.
    public var peerLinks: [PeerAddress: PeerLink] { links }

    /// The addresses BROKER_PEERS resolves to now. New ones get a link; a link no longer listed is dropped once down.
    public mutating func setPeers(_ addresses: [PeerAddress], now: Int64) {
        guard cluster != nil else { return }
        let wanted = Set(addresses)
        for a in wanted where links[a] == nil && links.count < cluster!.maxPeers {
            links[a] = PeerLink(address: a, configured: true)
            nextPeerTick = min(nextPeerTick, now)
        }
        for a in links.keys {
            links[a]!.configured = wanted.contains(a)
            if !links[a]!.configured && !links[a]!.up { links[a] = nil }
        }
    }

    // MARK: Messages from peers

    /// A peer message whose tag checks: the caller verified it with the cluster key.
    mutating func handlePeer(_ m: Message, from: PeerAddress, now: Int64) {
        switch m {
        case .peerHello(let h): peerHello(h, from: from, now: now)
        case .bye(let token, _): peerBye(token: token, from: from, now: now)
        case .peerAnnounce(let p):
            guard let entries = takePage(p, from: from, applied: \.theirAnnounce, pending: \.announcePending, pages: \.announcePages) else { return }
            let cap = cluster!.maxAnnouncedPerPeer
            if entries.count > cap { counters.refused[.peerAnnounceCap] += entries.count - cap }
            applyAnnouncement(Array(entries.prefix(cap)), from: from, now: now)
            sendHello(to: from, now: now)  // acknowledges at once: a lost page is resent within the snapshot retry
        case .peerInterest(let p):
            guard let entries = takePage(p, from: from, applied: \.theirInterest, pending: \.interestPending, pages: \.interestPages) else { return }
            let cap = cluster!.maxInterestPerPeer
            if entries.count > cap { counters.refused[.peerInterestCap] += entries.count - cap }
            applyInterest(Set(entries.prefix(cap)), from: from, now: now)
            sendHello(to: from, now: now)
        case .peerBlocks(let p):
            takeBlocks(p, from: from, now: now)
        default:
            break
        }
    }

    private mutating func peerHello(_ h: PeerHello, from: PeerAddress, now: Int64) {
        if h.brokerID == epoch {
            // Our own PEER_HELLO came back: BROKER_PEERS lists this broker too. Ignore that entry from now on.
            if links[from]?.isSelf == false { events.push(.peerIsSelf(from)) }
            links[from]?.isSelf = true
            return
        }
        // A PEER_HELLO of a run of the peer that a later run replaced (replayed by someone who captured it) is not
        // the peer restarting again: it changes nothing, not even a COOKIE is sent.
        if links[from]?.retiredIDs.contains(h.brokerID) == true { return refuse(.stalePeerHello) }
        let expected = linkToken(for: from, holder: h.brokerID)
        guard h.token == expected else {
            counters.cookiesSent += 1
            outbox.push(.send(to: from, Message.cookie(nonce: h.sendTime, token: expected).encode()))
            return
        }
        var link = links[from] ?? PeerLink(address: from, configured: false)
        guard links[from] != nil || links.count < cluster!.maxPeers else { return refuse(.peerLimit) }
        if let old = link.brokerID, old != h.brokerID {
            // The peer restarted: what it had applied of ours, and we of its, is gone.
            link.retire(old)
            linkDown(&link, now: now)
            link.theirSendTime = 0
        }
        // Its clock only moves forward within one run: an older or repeated PEER_HELLO (delayed, duplicated, or
        // replayed by someone on the path) must not keep a dead link up or move the acknowledgements back.
        guard link.brokerID != h.brokerID || h.sendTime > link.theirSendTime else {
            links[from] = link
            return refuse(.stalePeerHello)
        }
        link.theirSendTime = h.sendTime
        link.brokerID = h.brokerID
        if link.theirInterest != 0 && Serial.less(h.interestVersion, link.theirInterest) {
            // The peer numbers its interest from 1 again: it dropped the link while we did not (a one-way cut). Its
            // new versions would look old here, never be taken nor acknowledged, and be resent every heartbeat for
            // ever (found by the split simulation); the interest we hold stays until its new version comes.
            link.theirInterest = 0
            link.interestPending = 0
            link.interestPages = [:]
        }
        link.counters.datagramsIn += 1
        link.lastHeard = now
        link.echo = h.sendTime
        link.echoHeardAt = now
        if h.echoTime != 0 {
            let sample = now - Int64(bitPattern: h.echoTime) - Int64(h.echoDelay)
            if sample >= 0 && sample < 10_000_000 { link.rtt.add(sample: max(1, sample)) }
        }
        link.announceAcked = h.announceAck
        link.interestAcked = h.interestAck
        if link.announceAcked == announceVersion && link.interestAcked == link.interestVersion { link.snapshotRetryAt = .max }
        let wasUp = link.up
        if !wasUp {
            link.up = true
            link.since = now
            events.push(.peerUp(from, brokerID: h.brokerID))
        }
        links[from] = link
        ensurePeerSession(from, now: now)
        if !wasUp {
            // A new link gets our snapshots at once, and a PEER_HELLO so the peer learns our versions.
            sendSnapshots(to: from, now: now, force: true)
            sendBlockList(to: from)
            interestDirty = true
        }
    }

    /// The link of an authenticated peer whose session and broker id match, or nil (counted).
    mutating func acceptedLink(_ from: PeerAddress, token: UInt64, brokerID: UInt64) -> PeerLink? {
        guard let link = links[from], link.up, link.brokerID == brokerID, token == linkToken(for: from, holder: brokerID),
            table[from]?.role == .broker
        else {
            refuse(.peerNotLinked)
            return nil
        }
        return link
    }

    /// A page of a peer's snapshot (announcements or interest), from a linked peer: its entries once every page of a
    /// new version is here (and the version is then the one applied), else nil.
    private mutating func takePage<E>(
        _ p: PeerPage<E>, from: PeerAddress, applied: WritableKeyPath<PeerLink, UInt32>, pending: WritableKeyPath<PeerLink, UInt32>,
        pages: WritableKeyPath<PeerLink, [UInt8: [E]]>
    ) -> [E]? {
        guard var link = acceptedLink(from, token: p.token, brokerID: p.brokerID) else { return nil }
        defer { links[from] = link }
        link.counters.datagramsIn += 1
        var (waiting, collected) = (link[keyPath: pending], link[keyPath: pages])
        let entries = collect(p, version: link[keyPath: applied], pending: &waiting, pages: &collected)
        link[keyPath: pending] = waiting
        link[keyPath: pages] = collected
        guard let entries else { return nil }
        link[keyPath: applied] = p.version
        link.counters.snapshotsApplied += 1
        return entries
    }

    /// Collects the pages of a snapshot; returns its entries once every page of one version is here.
    private func collect<E>(_ p: PeerPage<E>, version applied: UInt32, pending: inout UInt32, pages: inout [UInt8: [E]]) -> [E]? {
        // Versions grow (serial order) within one run of the sender: an applied one again is a resend, an older
        // one a delayed or replayed page.
        guard applied == 0 || Serial.less(applied, p.version) else { return nil }
        if p.version != pending {
            guard pending == 0 || Serial.less(pending, p.version) || Serial.less(pending, applied) else { return nil }
            pending = p.version
            pages = [:]
        }
        pages[p.page] = p.entries
        guard pages.count == Int(p.pages) else { return nil }
        let all = (0..<p.pages).flatMap { pages[$0] ?? [] }
        pages = [:]
        return all
    }

    /// A peer session in the session table: a slot for the fan-out, its interest as selectors.
    private mutating func ensurePeerSession(_ from: PeerAddress, now: Int64) {
        if var s = table[from], s.role == .broker {
            s.lastHeard = now
            table[from] = s
            return
        }
        if table[from] != nil { endSession(from, now: now) }
        // Its NACKs carry the link token we gave this run of it.
        let token = links[from]?.brokerID.map { linkToken(for: from, holder: $0) } ?? 0
        var s = PeerSession(address: from, role: .broker, token: token, lastHeard: now)
        s.slot = table.allocateSlot()
        table[from] = s
    }

    /// A peer's announcement: the streams its producers have online now.
    private mutating func applyAnnouncement(_ entries: [PeerAnnounceEntry], from: PeerAddress, now: Int64) {
        guard let tag = links[from]?.originTag else { return }
        var announced = Set<StreamID>()
        for e in entries {
            announced.insert(e.stream)
            // Another owner's stream changes hands only for a better claim; the same peer's entry always updates it
            // (a new nonce after its producer reconnected, a new rate).
            if let s = streamTable.byID[e.stream], s.online, s.owner != from, !wins(claim: e.claim, tag: tag, over: s) { continue }
            if let s = streamTable.byID[e.stream], s.online, !s.remote, let owner = s.owner {
                // Our producer of this id has moved to the peer (a newer claim): its session here ends.
                events.push(.producerMoved(e.stream.producer, from: owner, to: from))
                endSession(owner, now: now)
            }
            registerRemote(e, from: from, tag: tag, now: now)
        }
        for id in streamTable.byID.keys where streamTable.byID[id]!.remote && streamTable.byID[id]!.owner == from && !announced.contains(id) {
            setOffline(id, now: now)
        }
        interestDirty = true
    }

    /// Whether a claim (with the claimant's origin tag) beats the current owner of a stream: the higher claim, then
    /// the higher tag. Every broker compares the same numbers, so all pick the same owner.
    func wins(claim: UInt32, tag: UInt32, over s: BrokerStream) -> Bool {
        claim != s.claim ? claim > s.claim : tag > s.origin
    }

    private mutating func registerRemote(_ e: PeerAnnounceEntry, from: PeerAddress, tag: UInt32, now: Int64) {
        if streamTable.byID[e.stream] == nil {
            guard streamTable.makeRoom(limit: limits.maxStreams) else {
                events.push(.streamRefused(e.stream, maxStreams: limits.maxStreams))
                return
            }
            streamTable.byID[e.stream] = BrokerStream(
                id: e.stream, kind: e.kind, rateMilli: e.rateMilli, online: false, owner: from,
                detector: LossDetector(maxTracked: limits.maxTrackedGaps, dropsStale: true), buffer: RetransmitBuffer(bytes: limits.retransmitBufferBytes),
                cache: FrameCache(maxBuilding: limits.maxCachedFramesBuilding))
        }
        var s = streamTable.byID[e.stream]!
        let changed = !s.online || s.owner != from || s.nonce != e.nonce
        let sameOwner = s.online && s.owner == from
        s.kind = e.kind
        s.rateMilli = e.rateMilli
        s.owner = from
        s.remote = true
        s.origin = tag
        s.claim = e.claim
        s.nonce = e.nonce
        let key = StreamKeys.mediaKey(streamKey: StreamKeys.streamKey(secret: publishSecret, producer: e.stream.producer), nonce: e.nonce)
        if s.mac != key {
            s.previousMac = sameOwner ? s.mac : nil
            s.mac = key
        }
        s.online = true
        if changed {
            s.detector.reset()
            s.cache.reset()
        }
        streamTimers.set(e.stream, at: s.detector.deadline)
        streamTable.byID[e.stream] = s
        if changed {
            refreshSubscribers(of: e.stream)
            notify(e.stream, .online)
        }
    }

    /// A peer's interest: the streams of ours it wants. Only streams our own producers have are ever sent to a
    /// peer (the one-hop rule); a selector for anything else is kept, in case the stream comes here.
    private mutating func applyInterest(_ wanted: Set<StreamID>, from: PeerAddress, now: Int64) {
        guard var s = table[from], s.role == .broker, let slot = s.slot else { return }
        let removed = s.selectors.subtracting(wanted)
        let added = wanted.subtracting(s.selectors)
        for id in removed {
            subscriptions.remove(id, from)
            streamTable.byID[id]?.fanout.remove(from)
        }
        for id in added { subscriptions.add(id, from) }
        s.selectors = wanted
        table[from] = s
        for id in added {
            guard let st = streamTable.byID[id], st.online, !st.remote else { continue }
            streamTable.byID[id]!.fanout.insert(Subscriber(slot: slot, address: from))
            sendJoinFrame(id, to: Subscriber(slot: slot, address: from))
        }
    }

    // MARK: Link state

    /// Marks a link down: the peer's streams go offline for our clients, its session (and interest) ends.
    mutating func linkDown(_ link: inout PeerLink, now: Int64) {
        let a = link.address
        if link.up { events.push(.peerDown(a)) }
        link.up = false
        link.theirAnnounce = 0
        link.theirInterest = 0
        link.announcePages = [:]
        link.interestPages = [:]
        link.announcePending = 0
        link.interestPending = 0
        link.announceAcked = 0
        link.interestAcked = 0
        link.interest = []
        link.interestVersion = 0
        for id in streamTable.byID.keys where streamTable.byID[id]!.remote && streamTable.byID[id]!.owner == a {
            setOffline(id, now: now)
        }
        if table[a]?.role == .broker { endSession(a, now: now) }
    }

    /// Every peer heartbeat: PEER_HELLOs, link timeouts, and snapshots not yet acknowledged.
    mutating func peerTick(now: Int64) {
        guard let cluster else { return }
        nextPeerTick = leaving ? .max : now + cluster.peerHeartbeat
        guard !leaving else { return }
        for a in Array(links.keys) {
            var link = links[a]!
            if link.isSelf { continue }
            if link.up && now - link.lastHeard > cluster.linkTimeout {
                linkDown(&link, now: now)
                if !link.configured {
                    links[a] = nil
                    continue
                }
            }
            links[a] = link
            sendHello(to: a, now: now)
            if link.up { sendSnapshots(to: a, now: now, force: false) }
        }
        blockListTick()
    }

    private mutating func sendHello(to a: PeerAddress, now: Int64) {
        guard var link = links[a] else { return }
        let h = PeerHello(
            token: link.token, brokerID: epoch, sendTime: UInt64(bitPattern: now), echoTime: link.echo, announceVersion: announceVersion,
            announceAck: link.theirAnnounce, interestVersion: link.interestVersion, interestAck: link.theirInterest,
            echoDelay: link.echo == 0 ? 0 : UInt32(clamping: max(0, now - link.echoHeardAt)))
        link.recentHellos.append(h.sendTime)
        if link.recentHellos.count > 32 { link.recentHellos.removeFirst() }
        link.counters.controlOut += 1
        links[a] = link
        sendSealed(.peerHello(h), to: a)
    }

    /// Sends our announcement and our interest to a peer if it has not acknowledged their current versions, and
    /// schedules a resend unless they are acknowledged first: `snapshotRetry` (or twice the link's RTT) after a new
    /// send, doubling on each resend up to the heartbeat. A lost page then costs tens of milliseconds, not a
    /// heartbeat: what a producer's move waits for at 10% loss.
    mutating func sendSnapshots(to a: PeerAddress, now: Int64, force: Bool, retry: Bool = false) {
        guard let link = links[a], link.up else { return }
        let (token, id, version) = (link.token, epoch, announceVersion)
        let unacked = link.announceAcked != version || (link.interestVersion != 0 && link.interestAcked != link.interestVersion)
        defer { scheduleSnapshotRetry(a, now: now, pending: unacked, retry: retry) }
        if force || link.announceAcked != version {
            sendPages(localAnnouncement(), perPage: WireConstants.maxAnnounceEntries, to: a, cursor: \.announceCursor) { page, pages, part in
                .peerAnnounce(PeerAnnounce(token: token, brokerID: id, version: version, page: page, pages: pages, entries: part))
            }
        }
        let interestVersion = link.interestVersion
        if interestVersion != 0 && (force || link.interestAcked != interestVersion) {
            sendPages(link.interest.sorted(), perPage: WireConstants.maxInterestEntries, to: a, cursor: \.interestCursor) { page, pages, part in
                .peerInterest(PeerInterest(token: token, brokerID: id, version: interestVersion, page: page, pages: pages, entries: part))
            }
        }
    }

    private mutating func scheduleSnapshotRetry(_ a: PeerAddress, now: Int64, pending: Bool, retry: Bool) {
        guard pending, let link = links[a] else {
            links[a]?.snapshotRetryAt = .max
            return
        }
        let first = max(cluster!.snapshotRetry, 2 * link.rtt.smoothed)
        let delay = retry ? min(2 * link.snapshotRetryDelay, cluster!.peerHeartbeat) : first
        links[a]!.snapshotRetryDelay = delay
        links[a]!.snapshotRetryAt = now + delay
    }

    /// Resends the snapshots whose retry is due (between heartbeats). Called on every timer turn: nothing to do
    /// costs one look at each link, no copy of the keys.
    mutating func retrySnapshots(now: Int64) {
        guard nextSnapshotRetry <= now else { return }
        for a in Array(links.keys) where links[a]!.up && links[a]!.snapshotRetryAt <= now {
            sendSnapshots(to: a, now: now, force: false, retry: true)
        }
    }

    /// The earliest snapshot resend due on any link (`.max`: none).
    var nextSnapshotRetry: Int64 {
        links.values.reduce(Int64.max) { min($0, $1.up ? $1.snapshotRetryAt : .max) }
    }

    /// Sends at most `maxPagesPerTick` pages of a snapshot, going on where the last call stopped (so a snapshot of
    /// many pages completes over a few ticks instead of flooding the peer in one).
    mutating func sendPages<E>(
        _ entries: [E], perPage: Int, to a: PeerAddress, cursor: WritableKeyPath<PeerLink, Int>, maxPages: Int? = nil,
        _ make: (UInt8, UInt8, [E]) -> Message
    ) {
        let pages = max(1, min(255, (entries.count + perPage - 1) / perPage))
        var next = (links[a]?[keyPath: cursor] ?? 0) % pages
        for _ in 0..<min(pages, maxPages ?? cluster!.maxPagesPerTick) {
            let part = Array(entries[min(entries.count, next * perPage)..<min(entries.count, (next + 1) * perPage)])
            sendSealed(make(UInt8(next), UInt8(pages), part), to: a)
            links[a]?.counters.controlOut += 1
            next = (next + 1) % pages
        }
        links[a]?[keyPath: cursor] = next
    }

    private mutating func sendSealed(_ m: Message, to a: PeerAddress) {
        var bytes = m.encode()
        clusterKey!.seal(&bytes)
        outbox.push(.send(to: a, bytes))
    }

    /// The streams our own producers have online, as announced to peers.
    func localAnnouncement() -> [PeerAnnounceEntry] {
        streamTable.byID.values.filter { $0.online && !$0.remote }.sorted { $0.id < $1.id }.map {
            PeerAnnounceEntry(stream: $0.id, kind: $0.kind, rateMilli: $0.rateMilli, claim: $0.claim, nonce: $0.nonce)
        }
    }

    /// Recomputes what changed since the last turn: a new announcement version for every peer, and each peer's
    /// interest (the streams it owns that have clients here), sent at once; batched per turn.
    mutating func flushClusterChanges(now: Int64) {
        guard cluster != nil else { return }
        if announceDirty {
            announceDirty = false
            let current = localAnnouncement()
            if current != lastAnnouncement {
                lastAnnouncement = current
                announceVersion &+= 1
                if announceVersion == 0 { announceVersion = 1 }
                for a in links.keys where links[a]!.up { sendSnapshots(to: a, now: now, force: false) }
            }
        }
        if interestDirty {
            interestDirty = false
            for a in Array(links.keys) where links[a]!.up {
                let want = Set(
                    streamTable.byID.values.filter { $0.remote && $0.online && $0.owner == a && !$0.fanout.isEmpty }.map(\.id))
                guard want != links[a]!.interest || links[a]!.interestVersion == 0 else { continue }
                links[a]!.interest = want
                links[a]!.interestVersion &+= 1
                if links[a]!.interestVersion == 0 { links[a]!.interestVersion = 1 }
                sendSnapshots(to: a, now: now, force: false)
            }
        }
    }

    /// Counts the copies of a local stream's datagram that go to peer brokers: one lookup in the stream's fan-out
    /// index per link (no copy of the peer's session, no scan of the subscribers).
    mutating func countPeerCopies(_ st: BrokerStream, bytes: Int) {
        for a in links.keys where links[a]!.up && st.fanout.contains(a) {
            links[a]!.counters.dataOut += 1
            links[a]!.counters.bytesOut += bytes
        }
    }

    /// A COOKIE from a peer we are linking to: the token to put in what we send it.
    mutating func peerCookie(nonce: UInt64, token: UInt64, from: PeerAddress, now: Int64) -> Bool {
        guard let link = links[from], !link.isSelf, link.recentHellos.contains(nonce) else { return false }
        links[from]!.token = token
        sendHello(to: from, now: now)
        return true
    }
}
