import Crypto
import Wire

/// The broker's protocol core: sessions and leases, subscription tables, per-stream loss recovery towards
/// producers, retransmission towards clients, and the address-cookie check. Pure: fed with datagrams and `now`
/// through the `ProtocolCore` contract. Its state lives in a `SessionTable`, a `SubscriptionTable` and a
/// `StreamTable`; NACKs from clients are answered by the `Retransmitter`.
public struct BrokerCore: ProtocolCore, Sendable {
    public let timers: Timers
    public let limits: Limits
    public let epoch: UInt64
    let cookieKey: SipHash24
    /// The challenges of COOKIEs answering HELLOs, and the nonces of sessions that ended (a replay needs more).
    var challenges: HelloChallenges
    /// The cluster's publish secret: every producer id's stream key derives from it (`StreamKeys`).
    let publishSecret: [UInt8]
    /// Producer ids whose wrong key was reported already (bounded), so a producer retrying with a wrong key is
    /// logged once, not on every HELLO.
    var reportedBadKeys = Set<ProducerID>()
    var table: SessionTable
    var subscriptions = SubscriptionTable()
    var streamTable = StreamTable()
    let retransmitter: Retransmitter
    /// The operator's blocks (here or at any broker of the cluster): a blocked id's HELLO is refused with ERROR
    /// `notAuthorized`.
    public internal(set) var blocks: BlockList
    /// Each stream's online and offline events (the status page's history).
    public internal(set) var history: StreamHistory
    /// When each online stream's loss detector next needs attention (a NACK towards its producer is due).
    var streamTimers = TimerTable<StreamID>()
    /// The lease and rate sweep, every half heartbeat interval.
    var nextSweep: Int64 = 0
    var lastMeasure: Int64 = 0
    /// Fan-out list insertions and removals so far (part of `churnWork`).
    var fanoutUpdates = 0
    public internal(set) var counters = BrokerCounters()
    /// Per-source rate limits on handshakes and table requests (DATA is not looked at).
    public internal(set) var sourceLimits: SourceLimits
    /// The links to the other brokers of the cluster (nil: a broker alone), and everything derived from
    /// CLUSTER_SECRET.
    var mesh: PeerMesh?
    var outbox = OutputQueue<BrokerOutput>()
    /// Counts turns (drains of `outbox`), for the per-turn NACK allowance of each session.
    var turn: UInt64 = 1
    /// After `shutdown`: the BYE rounds still to send to clients and producers, and when the next is due.
    var byesLeft = 0
    /// Set by `shutdown`: the broker is leaving, so it no longer greets its peers (its PEER_HELLOs would bring back up
    /// the links its BYE took down, and the peers would go on sending it their streams).
    public internal(set) var leaving = false
    var nextBye: Int64 = .max
    /// What happened to sessions and streams (never per datagram).
    var events = OutputQueue<BrokerEvent>()

    /// `cookieKey` is used alone; in a cluster every broker's cookies come from the cluster secret instead, so a
    /// cookie one broker made is valid at all of them.
    public init(
        timers: Timers = Timers(), limits: Limits = Limits(), epoch: UInt64, cookieKey: (UInt64, UInt64), publishSecret: [UInt8],
        cluster: ClusterConfig? = nil
    ) {
        precondition(!publishSecret.isEmpty, "a broker needs a publish secret")
        self.publishSecret = publishSecret
        self.timers = timers
        self.limits = limits
        self.epoch = epoch
        let mesh = cluster.map { PeerMesh(config: $0, brokerID: epoch) }
        self.mesh = mesh
        blocks = BlockList(origin: ClusterKey.originTag(brokerID: epoch))
        let ck = mesh?.key.cookieKey ?? cookieKey
        self.cookieKey = SipHash24(k0: ck.0, k1: ck.1)
        challenges = HelloChallenges(key: SipHash24(k0: ck.0, k1: ck.1), epoch: epoch)
        retransmitter = Retransmitter(timers: timers, limits: limits)
        history = StreamHistory(maxStreams: limits.maxStreams)
        table = SessionTable(leaseDuration: timers.leaseDuration, tick: timers.heartbeatInterval / 2)
        sourceLimits = SourceLimits(limits: limits)
    }

    /// This broker's origin tag: the low 24 bits of its id (`epoch`), stamped in DATA by its producers.
    public var originTag: UInt32 { ClusterKey.originTag(brokerID: epoch) }

    /// Every peer's session, by address.
    public var sessions: [PeerAddress: PeerSession] { table.byAddress }
    /// Every tracked stream, online or offline.
    public var streams: [StreamID: BrokerStream] { streamTable.byID }
    public var subscriberCount: Int { table.clientCount }
    public var producerCount: Int { table.owners.count }

    /// The cookie a peer at `address` must echo: proof that it receives there.
    public func cookie(for address: PeerAddress) -> UInt64 { cookieKey.hash(address.cookieMaterial) | 1 }

    /// The challenge this broker puts in the COOKIE answering a HELLO of `nonce` from `address` at `now`.
    public func challenge(for address: PeerAddress, nonce: UInt64, now: Int64) -> UInt64 {
        challenges.make(for: address, nonce: nonce, now: now)
    }

    // MARK: The core contract

    /// The next output; nil ends the turn (the driver drained everything the last inputs queued).
    public mutating func pollTransmit() -> BrokerOutput? {
        guard let o = outbox.pop() else {
            turn &+= 1
            return nil
        }
        return o
    }

    public mutating func pollEvent() -> BrokerEvent? { events.pop() }

    mutating func refuse(_ reason: RefusalReason) { counters.refused[reason] += 1 }

    // MARK: Input

    /// Handles one datagram from `from`.
    public mutating func handle(_ bytes: [UInt8], from: PeerAddress, now: Int64) {
        counters.datagramsIn += 1
        counters.bytesIn += bytes.count
        // DATA is the hot path: validate the header in place and forward the same bytes.
        if DataHeader.isData(bytes) {
            do {
                let h = try DataHeader.parse(bytes[...])
                handleData(h, bytes, from: from, now: now)
            } catch {
                counters.malformed[error.reason] += 1
            }
            return
        }
        let m: Message
        do { m = try Message.decode(bytes[...]) } catch {
            counters.malformed[error.reason] += 1
            return
        }
        if m.type.isPeer || (m.type == .bye && bytes.count == WireConstants.peerByeSize) {
            // Only a holder of the cluster secret can tag a peer message (a BYE between brokers is one); anything
            // else is dropped and counted.
            guard let mesh, mesh.key.verify(bytes) else { return refuse(.badPeerTag) }
            handlePeer(m, from: from, now: now)
            return
        }
        guard sourceLimits.admit(m, from: from, hasSession: table[from] != nil, now: now) else { return }
        switch m {
        case .hello(let h): handleHello(h, from: from, now: now)
        case .heartbeat(let token, let sendTime, let rtt, let report):
            guard var s = session(from, token: token, answerCookie: true) else { return }
            s.lastHeard = now
            if rtt > 0 { s.rttMicros = Int64(rtt) }
            if let report, s.role == .client { noteReport(report, session: &s, now: now) }
            table[from] = s
            sendControl(.heartbeatAck(echoTime: sendTime, epoch: epoch), to: from)
        case .subscribe(let r):
            guard var s = session(from, token: r.token, answerCookie: true), s.role == .client else { return }
            s.lastHeard = now
            table[from] = s
            subscribe(r, from: from, now: now)
        case .unsubscribe(let r):
            guard var s = session(from, token: r.token, answerCookie: true), s.role == .client else { return }
            s.lastHeard = now
            table[from] = s
            unsubscribe(r, from: from)
        case .nack(let n):
            handleNack(n, from: from, now: now)
        case .listRequest(let token, let rid):
            guard var s = session(from, token: token, answerCookie: false) else { return }
            s.lastHeard = now
            table[from] = s
            list(requestID: rid, to: from)
        case .bye(let token, _):
            // A peer broker's BYE is tagged (above): an untagged one from its address is a spoof.
            guard table[from]?.role != .broker else { return refuse(.badPeerTag) }
            guard session(from, token: token, answerCookie: false) != nil else { return }
            events.push(.peerLeft(from))
            endSession(from, now: now, reason: .goodbye)
        case .cookie(let nonce, let token, _):
            guard mesh?.peerCookie(nonce: nonce, token: token, from: from, now: now) == true else { return refuse(.unexpectedType) }
            applyMeshActions(now: now)
        case .welcome, .heartbeatAck, .ack, .error, .streamStatus, .listReply, .data, .peerHello, .peerAnnounce, .peerInterest, .peerBlocks:
            refuse(.unexpectedType)
        }
    }

    /// The session of `from` if the token matches. Without a session, a peer that sent a request is told the
    /// cookie to use (the answer is never larger than the request, so it cannot amplify).
    mutating func session(_ from: PeerAddress, token: UInt64, answerCookie: Bool) -> PeerSession? {
        if let s = table[from] {
            guard s.token == token else {
                refuse(.badToken)
                return nil
            }
            return s
        }
        refuse(.noSession)
        if answerCookie {
            counters.cookiesSent += 1
            // The nonce echoes the token the request carried: the peer acts on this COOKIE only if it is its own
            // token, which an off-path spoofer does not know (so it cannot make a connected peer reconnect).
            outbox.push(.send(to: from, Message.cookie(nonce: token, token: cookie(for: from)).encode()))
        }
        return nil
    }

    mutating func registerStreams(
        of pid: ProducerID, _ descriptors: [StreamDescriptor], owner: PeerAddress, mediaKey: DataMAC, nonce: UInt64, claim: UInt32?, now: Int64,
        fresh: Bool
    ) {
        announcementChanged()
        let announced = Set(descriptors.map { StreamID(producer: pid, index: $0.index) })
        let session = StreamTable.LocalSession(owner: owner, origin: originTag, mediaKey: mediaKey, nonce: nonce, claim: claim, fresh: fresh)
        for d in descriptors {
            let id = StreamID(producer: pid, index: d.index)
            guard let wasOnline = streamTable.registerLocal(id, d, session: session, limits: limits) else {
                events.push(.streamRefused(id, maxStreams: limits.maxStreams))
                continue
            }
            streamTimers.set(id, at: streamTable.deadline(of: id))
            if !wasOnline || fresh {
                streamTable.update(id) { $0.onlineSince = now }
                history.record(id, online: true, from: owner, now: now, reason: nil)
                refreshSubscribers(of: id)
                notify(id, .online)
            }
        }
        for id in streamTable.streams(of: pid) where streamTable.isOnline(id) && !announced.contains(id) {
            setOffline(id, now: now, reason: .noLongerAnnounced)
        }
    }

    mutating func sendError(to: PeerAddress, requestID: UInt32, _ code: ErrorCode, _ reason: String) {
        counters.errorsSent += 1
        sendControl(.error(ErrorReply(requestID: requestID, code: code, reason: reason)), to: to)
    }

    mutating func handleData(_ h: DataHeader, _ bytes: [UInt8], from: PeerAddress, now: Int64) {
        // Taken out of the table while it is read and changed: looked up once, and its buffers stay uniquely
        // referenced and are mutated in place (a copy left in the table would make every insert copy the whole
        // retransmit ring).
        guard var st = streamTable.take(h.stream) else { return refuse(.unknownStream) }
        guard admitData(bytes, of: &st, from: from) else { return streamTable.put(st) }
        counters.dataIn += 1
        defer {
            streamTimers.set(h.stream, at: st.detector.deadline)
            streamTable.put(st)
        }
        guard
            st.detector.receive(
                h.sequence, frameStart: h.frameStart, frameEnd: h.frameEnd, resent: h.flags & DataHeader.retransmitFlag != 0, now: now, timers: timers
            )
        else {
            counters.duplicatesIn += 1
            return
        }
        st.datagramsIn += 1
        st.bytesIn += bytes.count
        st.buffer.insert(sequence: h.sequence, datagram: bytes, now: now)
        if st.cache.add(h, datagram: bytes) { st.framesIn += 1 }
        if !st.subscribers.isEmpty {
            st.datagramsForwarded += st.subscribers.count
            if !st.remote && mesh != nil { mesh!.countCopies(st.fanout, bytes: bytes.count) }
            outbox.push(.forward(bytes, frameKey: FrameKey.of(stream: h.stream, frame: h.frameNumber), to: st.subscribers))
        }
        table.heard(from, at: now)  // media proves the producer alive as well as heartbeats do
    }

    /// Whether a DATA datagram is the stream's: from its owner while online, under its media key, with the
    /// right origin. The MAC is checked once per datagram received, before it touches any state: a forgery (an
    /// off-path spoofer using the producer's address, or a subscriber, neither of whom holds the media key) is
    /// dropped and counted.
    private mutating func admitData(_ bytes: [UInt8], of st: inout BrokerStream, from: PeerAddress) -> Bool {
        guard st.owner == from, st.online, let mac = st.mac else {
            refuse(.notOwner)
            return false
        }
        var promote = false
        if !mac.verify(bytes) {
            guard let previous = st.previousMac, previous.verify(bytes) else {
                counters.dataForged += 1
                return false
            }
            promote = true  // the genuine session's key: back in front
        }
        // Every datagram carries its origin broker (stamped by the producer for the broker it is connected to):
        // ours from our producers, the owner's from a peer. Our own tag coming back from a peer would be a loop.
        let origin = DataHeader.origin(of: bytes)
        if st.remote {
            guard origin == st.origin, origin != originTag else {
                refuse(origin == originTag ? .loop : .badOrigin)
                return false
            }
            mesh?.countData(from: from, bytes: bytes.count)
        } else if origin != originTag && origin != 0 {
            refuse(.badOrigin)
            return false
        }
        if promote { swap(&st.mac, &st.previousMac) }
        return true
    }

    /// Ends a session: a client's subscriptions go, a producer's streams go offline (their subscribers are told).
    mutating func endSession(_ address: PeerAddress, now: Int64, reason: SessionEndReason = .ended) {
        guard let s = table.remove(address) else { return }
        if s.nonce != 0 { challenges.retire(s.nonce, at: address, now: now) }
        if let pid = s.producer, table.owners[pid] == address {
            table.setOwner(pid, nil)
            for id in streamTable.streams(of: pid) { setOffline(id, now: now, reason: .sessionEnded(reason)) }
        }
        interestChanged()
        if let slot = s.slot {
            var touched: [StreamID] = []
            for sel in s.selectors {
                subscriptions.remove(sel, address)
                touched.append(contentsOf: streamTable.matching(sel))
            }
            dropFanout(address, keeping: [], from: touched)
            table.release(slot: slot)
            outbox.push(.release(slot: slot))
        }
    }

    // MARK: Timers

    /// Runs what is due (`BrokerTimer`): NACKs towards producers, peer links, lease expiry, BYE repeats, rates.
    public mutating func handleTimeout(now: Int64) {
        for timer in BrokerTimer.order { run(timer, now: now) }
    }

    public func pollTimeout() -> Int64 {
        BrokerTimer.order.reduce(Int64.max) { min($0, deadline(of: $1)) }
    }

    /// Every half heartbeat: each stream's frame rate, measured over the last second.
    mutating func sweep(now: Int64) {
        nextSweep = now + timers.heartbeatInterval / 2
        guard now - lastMeasure >= 1_000_000 else { return }
        let (elapsed, first) = (Double(now - lastMeasure) / 1e6, lastMeasure == 0)
        for id in streamTable.ids {
            streamTable.update(id) { s in
                s.measuredRate = first ? 0 : Double(s.framesIn - s.framesAtLastMeasure) / elapsed
                s.framesAtLastMeasure = s.framesIn
            }
        }
        lastMeasure = now
    }

    /// Ends the sessions whose lease has expired, at most `limits.maxLeaseChecksPerTurn` due leases per turn:
    /// 2,000 leases expiring at once are ended over several turns, with the media received in between
    /// forwarded, instead of in one pass that holds up every stream (the rest is due at once: `pollTimeout`).
    mutating func expireLeases(now: Int64) {
        for a in table.expiredLeases(now: now, budget: limits.maxLeaseChecksPerTurn) {
            // A peer broker's session ends with its link (PEER_HELLOs, 800 ms), not with a lease.
            guard let s = table[a], s.role != .broker else { continue }
            counters.leasesExpired += 1
            events.push(.leaseExpired(a, role: s.role, producer: s.producer))
            endSession(a, now: now, reason: .leaseExpired)
        }
    }

    /// Work done for session churn so far, counted in elementary steps (see `ChurnWork`).
    public var churnWork: ChurnWork {
        ChurnWork(leaseChecks: table.leaseChecks, leaseWheelOperations: table.leases.operations, fanoutUpdates: fanoutUpdates)
    }

    /// Asks a stream's producer for what its loss detector finds missing, and schedules the next look.
    mutating func nackProducer(_ id: StreamID, now: Int64) {
        guard let st = streamTable[id], st.online, let owner = st.owner else { return }
        let link = st.remote ? mesh?.links[owner] : nil
        let rtt = link.map { $0.rtt.hasSample ? $0.rtt.smoothed : 0 } ?? table[owner]?.rttMicros ?? 0
        let interval = RTTEstimator.interval(rtt: rtt, timers: timers)
        let timers = self.timers
        let ranges = streamTable.update(id) { $0.detector.poll(now: now, retryInterval: interval, timers: timers) } ?? []
        streamTimers.set(id, at: streamTable.deadline(of: id))
        guard !ranges.isEmpty else { return }
        counters.nacksOut += 1
        if link != nil { mesh?.countNack(to: owner) }
        // Towards a peer broker the NACK carries the cookie it gave us, as a client's carries its session's.
        let token = link?.token ?? 0
        outbox.push(.send(to: owner, Message.nack(Nack(token: token, stream: id, rttMicros: UInt32(clamping: rtt), ranges: ranges)).encode()))
    }

    // MARK: Receiver reports

    /// Takes a client's receiver report. Whether its streams flow is looked at only when the reports have shown
    /// nothing received for `unreadAfter` (4 heartbeats), and at most once per quarter heartbeat per session (a
    /// session's heartbeats are not rate-limited).
    private mutating func noteReport(_ r: ReceiverReport, session s: inout PeerSession, now: Int64) {
        let previous = s.receiver.lastAt
        guard let idle = s.receiver.take(r, now: now), idle >= 4 * timers.heartbeatInterval else { return }
        guard now - previous >= timers.heartbeatInterval / 4 else { return }
        let flowing = s.selectors.contains { sel in
            streamTable.matching(sel).contains { streamTable[$0].map { $0.online && $0.measuredRate > 0 } ?? false }
        }
        s.receiver.mark(unread: flowing)
    }
}
