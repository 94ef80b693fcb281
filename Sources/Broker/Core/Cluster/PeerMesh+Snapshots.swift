import Wire

/// The two snapshots each link carries each way (docs/PROTOCOL.md §12): our announcement (the streams our producers
/// have online) and our interest (the streams of the peer's that our clients want). Each has a version the peer
/// acknowledges in its PEER_HELLO; a snapshot of many pages is sent a few pages per tick, and resent until
/// acknowledged.
extension PeerMesh {
    /// A page of a peer's snapshot (announcements or interest), from a linked peer: its entries once every page of a
    /// new version is here (and the version is then the one applied), else nil.
    mutating func takePage<E>(
        _ p: PeerPage<E>, from: PeerAddress, peerSession: Bool, applied: WritableKeyPath<PeerLink, UInt32>,
        pending: WritableKeyPath<PeerLink, UInt32>, pages: WritableKeyPath<PeerLink, [UInt8: [E]]>
    ) -> [E]? {
        guard accepted(from, token: p.token, brokerID: p.brokerID, peerSession: peerSession), var link = links[from] else { return nil }
        defer { links[from] = link }
        link.counters.datagramsIn += 1
        var (waiting, collected) = (link[keyPath: pending], link[keyPath: pages])
        let entries = Self.collect(p, version: link[keyPath: applied], pending: &waiting, pages: &collected)
        link[keyPath: pending] = waiting
        link[keyPath: pages] = collected
        guard let entries else { return nil }
        link[keyPath: applied] = p.version
        link.counters.snapshotsApplied += 1
        return entries
    }

    /// Collects the pages of a snapshot; returns its entries once every page of one version is here.
    private static func collect<E>(_ p: PeerPage<E>, version applied: UInt32, pending: inout UInt32, pages: inout [UInt8: [E]]) -> [E]? {
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

    /// Sends our announcement and our interest to a peer if it has not acknowledged their current versions, and
    /// schedules a resend unless they are acknowledged first: `snapshotRetry` (or twice the link's RTT) after a new
    /// send, doubling on each resend up to the heartbeat. A lost page then costs tens of milliseconds, not a
    /// heartbeat: what a producer's move waits for at 10% loss.
    mutating func sendSnapshots(to a: PeerAddress, streams: StreamTable, now: Int64, force: Bool, retry: Bool = false) {
        guard let link = links[a], link.up else { return }
        let (token, id, version) = (link.token, brokerID, announceVersion)
        let unacked = link.announceAcked != version || (link.interestVersion != 0 && link.interestAcked != link.interestVersion)
        defer { scheduleSnapshotRetry(a, now: now, pending: unacked, retry: retry) }
        if force || link.announceAcked != version {
            sendPages(streams.localAnnouncement(), perPage: WireConstants.maxAnnounceEntries, to: a, cursor: \.announceCursor) { page, pages, part in
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
        let first = max(config.snapshotRetry, 2 * link.rtt.smoothed)
        let delay = retry ? min(2 * link.snapshotRetryDelay, config.peerHeartbeat) : first
        links[a]!.snapshotRetryDelay = delay
        links[a]!.snapshotRetryAt = now + delay
    }

    /// Resends the snapshots whose retry is due (between heartbeats). Called on every timer turn: nothing to do
    /// costs one look at each link, no copy of the keys.
    mutating func retrySnapshots(streams: StreamTable, now: Int64) {
        guard nextSnapshotRetry <= now else { return }
        for a in Array(links.keys) where links[a]!.up && links[a]!.snapshotRetryAt <= now {
            sendSnapshots(to: a, streams: streams, now: now, force: false, retry: true)
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
        for _ in 0..<min(pages, maxPages ?? config.maxPagesPerTick) {
            let part = Array(entries[min(entries.count, next * perPage)..<min(entries.count, (next + 1) * perPage)])
            sendSealed(make(UInt8(next), UInt8(pages), part), to: a)
            links[a]?.counters.controlOut += 1
            next = (next + 1) % pages
        }
        links[a]?[keyPath: cursor] = next
    }

    /// Sends what changed since the last turn: a new announcement version to every peer, and each peer's interest
    /// (the streams it owns that have clients here), at once; batched per turn.
    mutating func flush(streams: StreamTable, now: Int64) {
        if announceDirty {
            announceDirty = false
            let current = streams.localAnnouncement()
            if current != lastAnnouncement {
                lastAnnouncement = current
                announceVersion &+= 1
                if announceVersion == 0 { announceVersion = 1 }
                for a in links.keys where links[a]!.up { sendSnapshots(to: a, streams: streams, now: now, force: false) }
            }
        }
        if interestDirty {
            interestDirty = false
            for a in Array(links.keys) where links[a]!.up {
                let want = streams.wanted(from: a)
                guard want != links[a]!.interest || links[a]!.interestVersion == 0 else { continue }
                links[a]!.interest = want
                links[a]!.interestVersion &+= 1
                if links[a]!.interestVersion == 0 { links[a]!.interestVersion = 1 }
                sendSnapshots(to: a, streams: streams, now: now, force: false)
            }
        }
    }
}
