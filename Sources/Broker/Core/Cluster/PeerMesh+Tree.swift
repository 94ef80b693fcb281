import Wire

/// The tree below the mesh (docs/CLUSTER.md): a broker given BROKER_UPSTREAM is an edge. It links to one upstream at
/// a time, the first of the list that answers, and moves to the next when that link is lost, as a client moves
/// between brokers. Its PEER_HELLOs say it is an edge; the upstream's say they are its upstream and carry the
/// upstream's path to the mesh (origin tags, nearest first), so an edge refuses an upstream whose path passes
/// through itself (a loop) or is `PeerHello.maxPath` long already (too deep).
///
/// What a link may carry (`mayForward`): our producers' streams go everywhere; a stream goes back over no link it
/// came by; between mesh peers, only what came from below (one hop in the mesh); up, only what came from below; down,
/// everything. So each stream reaches every broker of the tree by one path, and once per interested child.
extension PeerMesh {
    /// BROKER_UPSTREAM resolved (its order is the order of preference). The current upstream is kept while listed.
    mutating func setUpstreams(_ addresses: [PeerAddress], now: Int64) {
        upstreams = addresses
        if let current = upstream, addresses.contains(current) { return }
        guard !addresses.isEmpty else { return drop(upstreamAt: now) }
        choose(0, now: now)
    }

    /// Whether a stream may go to the broker at `a` (a peer session's address).
    func mayForward(_ st: BrokerStream, to a: PeerAddress) -> Bool {
        guard st.remote, let owner = st.owner else { return true }
        guard owner != a, let into = links[a]?.kind else { return false }
        let from = links[owner]?.kind ?? .mesh
        switch into {
        case .mesh, .upstream: return from == .edge
        case .edge: return true
        }
    }

    /// Whether a remote stream we hold from `owner` comes from `from` instead, announced at the same claim (the same
    /// producer's run, reaching us by two paths while the tree changes). A stream announced by an edge of ours is
    /// below us, and its path is that edge, not a mesh peer's or the upstream's copy: its edge moved here from
    /// another upstream, which still announces it until its link times out. Between mesh peers the latest word
    /// wins: a mesh peer announces only what came from below it, so the newer one has the producer's edge now.
    func takesOver(_ from: PeerAddress, owner: PeerAddress?) -> Bool {
        let ownerKind = owner.flatMap { links[$0]?.kind }
        switch links[from]?.kind {
        case .edge: return ownerKind != .edge
        case .mesh: return ownerKind == .mesh
        default: return false
        }
    }

    /// A link went down and took streams offline that other links may carry too (announced while the lost link
    /// held them, so skipped then): every other link is asked to announce again (our PEER_HELLO acknowledges no
    /// announcement, and the peer resends its snapshot on its next turn).
    mutating func reaskAnnouncements(now: Int64) {
        for a in Array(links.keys) where links[a]!.up && !links[a]!.isSelf {
            links[a]!.theirAnnounce = 0
            links[a]!.announcePending = 0
            links[a]!.announcePages = [:]
            sendHello(to: a, now: now)
        }
    }

    /// Whether any link carries more than our producers' streams (then our announcement is every stream we have).
    var isTree: Bool { upstream != nil || links.values.contains { $0.kind == .edge } }

    /// Our path to the mesh: our tag, then our upstream's path while its link is up.
    var path: [UInt32] {
        guard let u = upstream, let link = links[u], link.up else { return [originTag] }
        return [originTag] + link.path.prefix(PeerHello.maxPath - 1)
    }

    var originTag: UInt32 { ClusterKey.originTag(brokerID: brokerID) }

    /// The role and path of a PEER_HELLO of ours on a link: the inverse of what the peer is to us.
    func helloRole(for link: PeerLink) -> (PeerLinkRole, [UInt32]) {
        switch link.kind {
        case .mesh: (.mesh, [])
        case .upstream: (.edge, path)
        case .edge: (.upstream, path)
        }
    }

    /// Checks what a PEER_HELLO says the sender is against what the link is; false (refused, and said) when the
    /// two disagree, the link would make a loop, or the tree would be too deep.
    mutating func admit(_ h: PeerHello, from: PeerAddress, now: Int64) -> Bool {
        let kind = links[from]?.kind
        switch h.role {
        case .mesh:
            guard kind == nil || kind == .mesh, upstream == nil else { return refuseRole(h, from: from) }
        case .edge:
            if kind == .upstream {
                // Our upstream names us as its upstream: a loop of two.
                actions.push(.event(.treeLoop(from, path: h.path)))
                refuse(.treeLoop)
                return false
            }
            guard kind == nil || kind == .edge else { return refuseRole(h, from: from) }
            if kind == nil {
                guard links.values.count(where: { $0.kind == .edge }) < config.maxEdges else {
                    refuse(.edgeLimit)
                    return false
                }
                links[from] = PeerLink(address: from, configured: false, kind: .edge)
            }
        case .upstream:
            guard from == upstream else { return refuseRole(h, from: from) }
            if h.path.contains(originTag) {
                actions.push(.event(.treeLoop(from, path: h.path)))
                refuse(.treeLoop)
                return false
            }
            guard h.path.count < PeerHello.maxPath else {
                actions.push(.event(.treeTooDeep(from, depth: h.path.count)))
                refuse(.treeTooDeep)
                return false
            }
            links[from]?.path = h.path
        }
        return true
    }

    private mutating func refuseRole(_ h: PeerHello, from: PeerAddress) -> Bool {
        refuse(.linkRole)
        return false
    }

    /// Moves to the next upstream of the list when ours is lost: down, or not up `linkTimeout` after we chose it
    /// (long enough for a COOKIE round trip and a few lost PEER_HELLOs).
    mutating func checkUpstream(now: Int64) {
        guard let u = upstream, !upstreams.isEmpty else { return }
        if links[u]?.up != true && now - upstreamSince > config.linkTimeout { choose((upstreamIndex + 1) % upstreams.count, now: now) }
    }

    /// The upstream link went down (silent, or its BYE): the next of the list at once.
    mutating func upstreamLost(now: Int64) {
        guard !upstreams.isEmpty else { return }
        choose((upstreamIndex + 1) % upstreams.count, now: now)
    }

    private mutating func choose(_ i: Int, now: Int64) {
        drop(upstreamAt: now)
        upstreamIndex = i
        let a = upstreams[i]
        upstream = a
        upstreamSince = now
        links[a] = PeerLink(address: a, configured: true, kind: .upstream)
        nextTick = min(nextTick, now)
        announceDirty = true
        actions.push(.event(.upstreamChosen(a)))
    }

    private mutating func drop(upstreamAt now: Int64) {
        guard let old = upstream else { return }
        if var link = links[old], link.up { linkDown(&link) }
        links[old] = nil
        upstream = nil
    }
}
