import Crypto
import Wire

/// The broker as a member of a cluster (docs/PROTOCOL.md §12), after NATS routes: every broker links to every other
/// (a full mesh), announces the streams its own producers have online, subscribes at a stream's origin broker for
/// the streams its clients want (interest), and delivers what a peer sends it to its own clients only, never to
/// another peer (one hop, so there are no loops: `BrokerCore.mayForward`).
///
/// The mesh owns the links, their snapshots and paging, the cluster key and the broker's origin tag. It takes the
/// peer messages whose tag checks and its own timeouts, and hands the core `MeshAction`s (a peer's announcement or
/// interest, a link up or down, a sealed datagram to send); it reads the core's stream table and block list only
/// through the values passed in, and never changes them.
struct PeerMesh: Sendable {
    let config: ClusterConfig
    let key: ClusterKey
    /// This run of the broker (its epoch): in every PEER_* message, and what link tokens bind.
    let brokerID: UInt64
    /// Link tokens are keyed like address cookies, from the cluster secret.
    let tokenKey: SipHash24
    /// The links by peer address; only the mesh (its files) changes them, the core reads.
    var links: [PeerAddress: PeerLink] = [:]
    var nextTick: Int64 = .max
    /// Our announcement snapshot, its version, and whether local streams or interest changed this turn.
    var announceVersion: UInt32 = 1
    var lastAnnouncement: [PeerAnnounceEntry] = []
    var announceDirty = false
    var interestDirty = false
    /// Set when the broker leaves: it no longer greets its peers (its PEER_HELLOs would bring back up the links its
    /// BYE took down, and the peers would go on sending it their streams).
    var leaving = false
    /// BROKER_UPSTREAM in order, the one we link to now (nil: not an edge) and since when we try it.
    var upstreams: [PeerAddress] = []
    var upstream: PeerAddress?
    var upstreamIndex = 0
    var upstreamSince: Int64 = 0
    /// Block decisions made here not yet repeated to the peers enough times.
    var blockSends = BlockSends()
    var actions = OutputQueue<MeshAction>()

    init(config: ClusterConfig, brokerID: UInt64) {
        self.config = config
        self.brokerID = brokerID
        key = ClusterKey(secret: config.secret)
        tokenKey = SipHash24(k0: key.cookieKey.0, k1: key.cookieKey.1)
    }

    /// The addresses BROKER_PEERS resolves to now. New ones get a link; a link no longer listed is dropped once down.
    mutating func setPeers(_ addresses: [PeerAddress], now: Int64) {
        let wanted = Set(addresses)
        for a in wanted where links[a] == nil && links.count < config.maxPeers {
            links[a] = PeerLink(address: a, configured: true)
            nextTick = min(nextTick, now)
        }
        for a in links.keys {
            links[a]!.configured = wanted.contains(a)
            if !links[a]!.configured && !links[a]!.up { links[a] = nil }
        }
    }

    /// When the mesh next needs `handleTimeout`: at once while a change waits for the turn's flush (0 is before any
    /// `now`; not Int64.min, which a driver computing `deadline - now` would overflow on).
    var nextTimeout: Int64 {
        announceDirty || interestDirty ? 0 : min(nextTick, nextSnapshotRetry, blockSends.dueAt)
    }

    // MARK: Messages from peers

    /// A peer message whose tag checks (the caller verified it with `key`). `peerSession`: the sender's address
    /// holds a broker's session at the core.
    mutating func handle(_ m: Message, from: PeerAddress, peerSession: Bool, streams: StreamTable, blocks: BlockList, now: Int64) {
        switch m {
        case .peerHello(let h): peerHello(h, from: from, now: now)
        case .bye(let token, _): peerBye(token: token, from: from, peerSession: peerSession, now: now)
        case .peerAnnounce(let p):
            guard let entries = takePage(p, from: from, peerSession: peerSession, applied: \.theirAnnounce, pending: \.announcePending, pages: \.announcePages)
            else { return }
            let cap = config.maxAnnouncedPerPeer
            if entries.count > cap { actions.push(.refused(.peerAnnounceCap, count: entries.count - cap)) }
            actions.push(.announced(Array(entries.prefix(cap)), from: from))
            sendHello(to: from, now: now)  // acknowledges at once: a lost page is resent within the snapshot retry
        case .peerInterest(let p):
            guard let entries = takePage(p, from: from, peerSession: peerSession, applied: \.theirInterest, pending: \.interestPending, pages: \.interestPages)
            else { return }
            let cap = config.maxInterestPerPeer
            if entries.count > cap { actions.push(.refused(.peerInterestCap, count: entries.count - cap)) }
            actions.push(.interest(Set(entries.prefix(cap)), from: from))
            sendHello(to: from, now: now)
        case .peerBlocks(let p):
            guard accepted(from, token: p.token, brokerID: p.brokerID, peerSession: peerSession) else { return }
            links[from]!.counters.datagramsIn += 1
            actions.push(.blocks(p.entries, from: from))
        default:
            break
        }
    }

    /// Whether a message comes over a link that is up, from the peer's current run with the token we gave it, and
    /// from the broker session of its address (counted when not).
    mutating func accepted(_ from: PeerAddress, token: UInt64, brokerID: UInt64, peerSession: Bool) -> Bool {
        guard let link = links[from], link.up, link.brokerID == brokerID, token == linkToken(for: from, holder: brokerID), peerSession else {
            actions.push(.refused(.peerNotLinked, count: 1))
            return false
        }
        return true
    }

    /// A link just heard from gets our snapshots and block list at once, and the peer learns our versions.
    mutating func greet(_ a: PeerAddress, streams: StreamTable, blocks: BlockList, now: Int64) {
        // A tree link changes what our announcement holds (every stream, not only our producers').
        if links[a]?.kind != .mesh { announceDirty = true }
        sendSnapshots(to: a, streams: streams, now: now, force: true)
        sendBlockList(to: a, blocks: blocks)
        interestDirty = true
    }

    // MARK: Timers

    /// Every peer heartbeat: PEER_HELLOs, link timeouts, snapshots not yet acknowledged, the block list now and then.
    mutating func tick(streams: StreamTable, blocks: BlockList, now: Int64) {
        nextTick = leaving ? .max : now + config.peerHeartbeat
        guard !leaving else { return }
        var lostUpstream = false
        for a in Array(links.keys) {
            var link = links[a]!
            if link.isSelf { continue }
            if link.up && now - link.lastHeard > (link.kind == .upstream ? config.upstreamTimeout : config.linkTimeout) {
                linkDown(&link)
                lostUpstream = lostUpstream || link.kind == .upstream
                if !link.configured {
                    links[a] = nil
                    continue
                }
            }
            links[a] = link
            sendHello(to: a, now: now)
            if link.up { sendSnapshots(to: a, streams: streams, now: now, force: false) }
        }
        if lostUpstream { upstreamLost(now: now) } else { checkUpstream(now: now) }
        blockListTick(blocks: blocks)
    }

    /// Marks a link down: what either side had applied of the other's snapshots is forgotten; the core takes the
    /// peer's streams offline and ends its session (`MeshAction.down`).
    mutating func linkDown(_ link: inout PeerLink) {
        actions.push(.down(link.address, wasUp: link.up))
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
    }

    // MARK: Traffic figures

    /// Counts the copies of a local stream's datagram that go to peer brokers: one lookup in the stream's fan-out
    /// index per link (no copy of the peer's session, no scan of the subscribers). It walks the links by index and
    /// changes them in place: iterating `links.keys` while assigning `links[a]` holds a second reference to the
    /// table, so each datagram would copy the whole dictionary.
    mutating func countCopies(_ fanout: FanoutList, bytes: Int) {
        var i = links.startIndex
        while i != links.endIndex {
            if links.values[i].up && fanout.contains(links.keys[i]) {
                links.values[i].counters.dataOut += 1
                links.values[i].counters.bytesOut += bytes
            }
            links.formIndex(after: &i)
        }
    }

    /// Per datagram: through the values' index, which changes the link in place (the dictionary's optional
    /// subscript moves the whole link out and back).
    mutating func countData(from a: PeerAddress, bytes: Int) {
        guard let i = links.index(forKey: a) else { return }
        links.values[i].counters.dataIn += 1
        links.values[i].counters.bytesIn += bytes
    }

    mutating func countNack(from a: PeerAddress) { links[a]?.counters.nacksIn += 1 }
    mutating func countNack(to a: PeerAddress) { links[a]?.counters.nacksOut += 1 }

    mutating func sendSealed(_ m: Message, to a: PeerAddress) {
        var bytes = m.encode()
        key.seal(&bytes)
        actions.push(.send(a, bytes))
    }
}
