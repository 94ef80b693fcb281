import Wire

/// Per-stream receive figures.
public struct ReceiveStats: Sendable, Equatable {
    public var loss = LossDetector.Counters()
    public var frames = FrameAssembler.Counters()
    public var bytes = 0
    public init(loss: LossDetector.Counters = .init(), frames: FrameAssembler.Counters = .init(), bytes: Int = 0) {
        self.loss = loss
        self.frames = frames
        self.bytes = bytes
    }
}

/// The client's protocol core: session, subscriptions (what the user asked for, kept across broker restarts),
/// acknowledged requests with retry, loss detection and NACKs, frame reassembly. Pure: fed with commands,
/// datagrams and `now`; returns datagrams for the broker and events.
public struct ClientSession: ProtocolCore, Sendable {
    enum RequestKind: Equatable, Sendable {
        case subscribe(StreamID, resume: Bool)
        case unsubscribe(StreamID)
        case list

        var request: ClientRequest {
            switch self {
            case .subscribe(let s, _): .subscribe(s)
            case .unsubscribe(let s): .unsubscribe(s)
            case .list: .list
            }
        }
    }
    struct Pending: Sendable {
        var kind: RequestKind
        var nextRetry: Int64
        var backoff: Int64
        var firstSent: Int64
        var warned = false
    }
    struct Receiver: Sendable {
        var detector: LossDetector
        var assembler: FrameAssembler
        var bytes = 0
        /// The newest capture time received (µs, the producer's clock; 0: none yet), and that frame's number.
        var newestCapture: UInt64 = 0
        var newestFrame: UInt32 = 0
    }

    public let timers: Timers
    public let limits: Limits
    public internal(set) var link: BrokerLink
    /// The subscriptions the user holds (selectors), whatever the broker's state.
    public private(set) var subscriptions: Set<StreamID> = []
    private var pending: [UInt32: Pending] = [:]
    private var nextRequestID: UInt32 = 1
    private var receivers: [StreamID: Receiver] = [:]
    /// When each receiver next needs attention: a NACK due, or a frame past the latency budget to drop.
    private var receiverTimers = TimerTable<StreamID>()
    private var retired: [StreamID: ReceiveStats] = [:]
    /// What retired receivers received and lost, for the receiver report (`retired` keeps only the last per stream).
    private var retiredReceived = 0
    private var retiredLost = 0
    private var listParts: [UInt32: [UInt16: ListEntry]] = [:]
    var events = OutputQueue<ClientEvent>()
    var transmits = OutputQueue<[UInt8]>()
    public private(set) var malformed = 0
    public private(set) var ignoredData = 0
    /// Outages of a stream given up rather than repaired (`outageOver`).
    public internal(set) var outagesSkipped = 0
    /// The brokers this client may use, and with more than one its moves (see `ClientSession+Failover.swift`).
    var failover: BrokerFailover
    /// Frames not delivered because they were delivered already (a join frame after a move, say).
    public internal(set) var duplicateFrames = 0
    var recent = RecentFrames()
    /// The client's own failover state (ClientSession+Failover.swift): the last DATA, the smoothed gap between frame
    /// starts, and whether a silence may be suspected.
    var lastDataAt: Int64 = 0
    var frameGap: Int64 = 0
    var lastFrameStartAt: Int64 = 0
    var silenceArmed = false
    var silenceProbes = 0  // sent into the current silence: they only draw ICMP from a killed broker's host

    /// `brokers`: where the session may go (empty: the driver addresses the one broker it knows).
    /// `firstBroker`: the index in `brokers` to start on (nil: a random one).
    public init(timers: Timers = Timers(), limits: Limits = Limits(), brokers: [PeerAddress] = [], firstBroker: Int? = nil, seed: UInt64) {
        self.timers = timers
        self.limits = limits
        link = BrokerLink(role: .client, producer: nil, streams: [], timers: timers, seed: seed)
        failover = BrokerFailover(brokers: brokers, seed: seed, first: firstBroker)
    }

    // MARK: The core contract

    /// Starts the session: the first HELLO.
    public mutating func connect(now: Int64) {
        failover.connecting(now: now)
        transmits.push(link.connect(now: now))
    }

    public mutating func handle(_ datagram: [UInt8], from: PeerAddress, now: Int64) {
        forgiveStall(now: now)
        transmits.push(contentsOf: receive(datagram[...], now: now))
    }

    public mutating func handleTimeout(now: Int64) {
        forgiveStall(now: now)
        transmits.push(contentsOf: timersDue(now: now))
    }

    /// The next datagram for the broker.
    public mutating func pollTransmit() -> [UInt8]? { transmits.pop() }

    public mutating func pollEvent() -> ClientEvent? { events.pop() }

    /// The user's commands; each queues its request (sent at once, or when the session is up).
    public mutating func subscribe(_ sel: StreamID, now: Int64) { transmits.push(contentsOf: requestSubscribe(sel, now: now)) }

    public mutating func unsubscribe(_ sel: StreamID, now: Int64) { transmits.push(contentsOf: requestUnsubscribe(sel, now: now)) }

    public mutating func list(now: Int64) { transmits.push(contentsOf: request(.list, now: now)) }

    /// The BYE that ends the session (sent by the driver as it leaves).
    public func bye() -> [UInt8] { link.bye() }

    public func isSubscribed(_ stream: StreamID) -> Bool { subscriptions.contains { $0.covers(stream) } }

    /// Figures for every stream received so far (current and past).
    public var stats: [StreamID: ReceiveStats] {
        var out = retired
        for (id, r) in receivers {
            out[id] = ReceiveStats(loss: r.detector.counters, frames: r.assembler.counters, bytes: r.bytes)
        }
        return out
    }

    // MARK: Commands

    private mutating func requestSubscribe(_ sel: StreamID, now: Int64) -> [[UInt8]] {
        if subscriptions.contains(sel) {
            events.push(.alreadySubscribed(sel, through: nil))
            return []
        }
        if sel.isProducerSelector == false, subscriptions.contains(StreamID(producer: sel.producer, index: 0)) {
            events.push(.alreadySubscribed(sel, through: sel.producer))
            return []
        }
        guard subscriptions.count < limits.maxSubscriptionsPerClient else {
            events.push(.tooManySubscriptions(sel, limit: limits.maxSubscriptionsPerClient))
            return []
        }
        // Figures are per subscription: what an earlier one of these streams received is not this one's.
        for id in retired.keys where sel.covers(id) { retired[id] = nil }
        return request(.subscribe(sel, resume: false), now: now)
    }

    private mutating func requestUnsubscribe(_ sel: StreamID, now: Int64) -> [[UInt8]] {
        let removed: [StreamID]
        if sel.isProducerSelector {
            removed = subscriptions.filter { $0.producer == sel.producer }
        } else if subscriptions.contains(sel) {
            removed = [sel]
        } else if subscriptions.contains(StreamID(producer: sel.producer, index: 0)) {
            events.push(.notSubscribed(sel, heldThrough: sel.producer))
            return []
        } else {
            removed = []
        }
        // A subscribe still waiting for its answer is cancelled by the unsubscribe.
        let cancelled = pending.filter { if case .subscribe(let s, _) = $0.value.kind { return sel.covers(s) || s == sel } else { return false } }
        for id in cancelled.keys { pending[id] = nil }
        guard !removed.isEmpty || !cancelled.isEmpty else {
            events.push(.notSubscribed(sel, heldThrough: nil))
            return []
        }
        for x in removed { subscriptions.remove(x) }
        // Stop taking its data at once; datagrams already on the way are ignored.
        for id in receivers.keys where !isSubscribed(id) {
            let r = receivers.removeValue(forKey: id)!
            receiverTimers.cancel(id)
            retired[id] = ReceiveStats(loss: r.detector.counters, frames: r.assembler.counters, bytes: r.bytes)
            retiredReceived &+= r.detector.counters.received
            retiredLost &+= r.detector.counters.lost
        }
        return request(.unsubscribe(sel), now: now)
    }

    private mutating func request(_ kind: RequestKind, now: Int64) -> [[UInt8]] {
        let id = nextRequestID
        nextRequestID &+= 1
        if nextRequestID == 0 { nextRequestID = 1 }
        pending[id] = Pending(kind: kind, nextRetry: now + timers.requestRetry, backoff: timers.requestRetry, firstSent: now)
        guard link.isConnected else { return [] }  // sent when the session is up
        return [encode(id, kind)]
    }

    private func encode(_ id: UInt32, _ kind: RequestKind) -> [UInt8] {
        switch kind {
        case .subscribe(let s, let resume):
            Message.subscribe(SubscriptionRequest(token: link.token, requestID: id, selector: s, flags: resume ? SubscriptionRequest.resumeFlag : 0))
                .encode()
        case .unsubscribe(let s):
            Message.unsubscribe(SubscriptionRequest(token: link.token, requestID: id, selector: s)).encode()
        case .list:
            Message.listRequest(token: link.token, requestID: id).encode()
        }
    }

    // MARK: Datagrams

    private mutating func receive(_ bytes: ArraySlice<UInt8>, now: Int64) -> [[UInt8]] {
        // A control message must be the broker's, under this session's key: a spoofed one is dropped before it counts
        // as a sign of life or changes anything.
        guard let body = link.open(bytes) else { return [] }
        let m: Message
        do { m = try Message.decode(body) } catch {
            malformed += 1
            return []
        }
        link.heard(now: now)
        switch m {
        case .data(let h, let payload):
            handleData(h, payload, now: now)
            return []
        case .ack(let a):
            guard let p = pending.removeValue(forKey: a.requestID) else { return [] }
            switch p.kind {
            case .subscribe(let s, let resume):
                subscriptions.insert(s)
                if !resume {
                    events.push(a.status == .waiting ? .waiting(s) : .subscribed(s, online: a.status == .online))
                }
            case .unsubscribe(let s):
                events.push(.unsubscribed(s))
            case .list:
                break
            }
            return []
        case .error(let e):
            if e.requestID == 0 {
                // The broker refused our HELLO (it is full); the link keeps retrying.
                events.push(.sessionRefused(e.code, reason: e.reason))
                return []
            }
            guard let p = pending.removeValue(forKey: e.requestID) else { return [] }
            switch p.kind {
            case .subscribe(let s, _):
                subscriptions.remove(s)
                events.push(.refused(.subscribe(s), e.code, reason: e.reason))
            case .unsubscribe(let s):
                events.push(.refused(.unsubscribe(s), e.code, reason: e.reason))
            case .list:
                events.push(.refused(.list, e.code, reason: e.reason))
            }
            return []
        case .listReply(let l):
            guard let p = pending[l.requestID], p.kind == .list else { return [] }
            var parts = listParts[l.requestID] ?? [:]
            for (i, e) in l.entries.enumerated() { parts[l.first + UInt16(i)] = e }
            if parts.count >= Int(l.total) {
                pending[l.requestID] = nil
                listParts[l.requestID] = nil
                events.push(.list(parts.keys.sorted().map { parts[$0]! }))
            } else {
                listParts[l.requestID] = parts
            }
            return []
        case .streamStatus(let st):
            guard isSubscribed(st.stream) else { return [] }
            if st.state != .online { silenceArmed = false }  // its DATA stops for a reason: no failover for it
            if st.state == .online, receivers[st.stream] != nil {
                // The producer may have restarted its numbering, or moved to another broker of the cluster, its
                // numbering going on (this client's broker may be any of them): the receiver keeps its gaps and
                // partial frames, to NACK what the move cost; a restarted producer shows by its sequence numbers
                // instead (`restartedSender`). Resetting here lost the frame in flight when a producer moved.
                schedule(st.stream)
            }
            events.push(.streamStatus(st.stream, st.state))
            return []
        default:
            let moving = link.isMoving
            let (out, event) = link.handle(m, now: now)
            var send = out
            if let event { send += handle(event, moving: moving, now: now) }
            return send
        }
    }

    /// `moving`: whether the link was moving before the message that caused `event`: a WELCOME then ends a move,
    /// and the fresh session keeps the receivers (the gap is NACKed at the new broker).
    private mutating func handle(_ event: LinkEvent, moving endsMove: Bool, now: Int64) -> [[UInt8]] {
        switch event {
        case .connected(_, let fresh):
            events.push(.connected(fresh: fresh))
            var out: [[UInt8]] = []
            if fresh {
                // The broker does not know our subscriptions: ask for them again, kept even while offline.
                pending = pending.filter { if case .subscribe(_, true) = $0.value.kind { return false } else { return true } }
                // After a move the sequence numbers go on (brokers forward the producer's datagrams unchanged):
                // the receivers keep their state, so the gap is NACKed to the new broker instead of lost.
                for r in receivers.keys where !endsMove {
                    receivers[r]!.detector.reset()
                    receivers[r]!.assembler.reset()
                    schedule(r)
                }
                for s in subscriptions.sorted() { out += request(.subscribe(s, resume: true), now: now) }
            }
            for (id, p) in pending.sorted(by: { $0.key < $1.key }) {
                if case .subscribe(_, true) = p.kind, fresh { continue }
                out.append(encode(id, p.kind))
            }
            return out
        case .lost, .brokerLeaving:
            if let m = failover.sessionDown(event, &link, now: now) { return moved(m) }
            events.push(event == .lost ? .brokerLost : .brokerLeaving)
            return []
        case .disconnected:
            events.push(.disconnected)
            return []
        case .refused(let code, let reason):
            // The client reads ERROR itself (see `.error` above); the link never reports this, kept for exhaustiveness.
            events.push(.sessionRefused(code, reason: reason))
            return []
        }
    }

    /// Whether a SUBSCRIBE covering `stream` is still waiting for its ACK.
    private func subscribing(_ stream: StreamID) -> Bool {
        pending.values.contains { if case .subscribe(let s, _) = $0.kind { return s.covers(stream) || s == stream } else { return false } }
    }

    private mutating func handleData(_ h: DataHeader, _ payload: ArraySlice<UInt8>, now: Int64) {
        // Data for a stream whose SUBSCRIBE is unanswered is taken too: the broker acts on a SUBSCRIBE before
        // its ACK can be lost, and through a lossy path the ACK may take several retries (seconds of backoff)
        // while the stream already flows. The request is still retried until the ACK comes.
        guard isSubscribed(h.stream) || subscribing(h.stream) else {
            ignoredData += 1
            return
        }
        var r =
            receivers.removeValue(forKey: h.stream)
            ?? Receiver(
                detector: LossDetector(maxTracked: limits.maxTrackedGaps),
                assembler: FrameAssembler(stream: h.stream, maxFramesInFlight: limits.maxFramesInFlight, maxBytesInFlight: limits.maxBytesInFlight))
        // The cached frame a joiner gets goes through loss detection too: a chunk of it lost on the way is
        // asked for like any other, instead of the join waiting out the latency budget.
        noteData(h, now: now)
        if restartedSender(r.detector, h) {
            r.assembler.reset()
        } else if outageOver(r, h) {
            r.detector.reset()
            r.assembler.skip(to: h.frameNumber)
            outagesSkipped += 1
        }
        if h.captureTime > r.newestCapture {
            r.newestCapture = h.captureTime
            r.newestFrame = h.frameNumber
        }
        guard
            r.detector.receive(
                h.sequence, frameStart: h.frameStart, frameEnd: h.frameEnd, resent: h.flags & DataHeader.retransmitFlag != 0, now: now, timers: timers
            )
        else {
            receivers[h.stream] = r
            schedule(h.stream)
            return
        }
        r.bytes += payload.count
        for f in r.assembler.add(h, payload: payload, now: now, budget: timers.latencyBudget) { emit(f) }
        receivers[h.stream] = r
        schedule(h.stream)
    }

    // MARK: Timers

    private mutating func timersDue(now: Int64) -> [[UInt8]] {
        // A heartbeat may be due: it carries what the receivers have received and lost (summed only then).
        if now >= link.deadline { link.report = receiverReport }
        var (out, event) = link.poll(now: now)
        if let event { out += handle(event, moving: false, now: now) }  // a poll welcomes no one
        out += failoverDue(now: now)
        guard link.isConnected else { return out }
        for (id, p) in pending where now >= p.nextRetry {
            var q = p
            q.backoff = min(q.backoff * 2, timers.maxRequestBackoff)
            q.nextRetry = now + q.backoff
            if !q.warned && now - q.firstSent >= timers.requestTimeout {
                q.warned = true
                if case .subscribe(_, true) = q.kind {
                } else {
                    events.push(.noAnswerYet(q.kind.request))
                }
            }
            pending[id] = q
            out.append(encode(id, q.kind))
        }
        let rttMicros = link.rtt.hasSample ? link.rtt.smoothed : 0
        let interval = RTTEstimator.interval(rtt: rttMicros, timers: timers)
        for id in receiverTimers.popDue(now: now) {
            guard receivers[id] != nil else { continue }
            defer { schedule(id) }
            if receivers[id]!.detector.deadline <= now {
                let ranges = receivers[id]!.detector.poll(now: now, retryInterval: interval, timers: timers)
                if !ranges.isEmpty {
                    out.append(Message.nack(Nack(token: link.token, stream: id, rttMicros: UInt32(clamping: rttMicros), ranges: ranges)).encode())
                }
            }
            if let d = receivers[id]!.assembler.deadline(budget: timers.latencyBudget), d <= now {
                for f in receivers[id]!.assembler.drain(now: now, budget: timers.latencyBudget) { emit(f) }
            }
        }
        return out
    }

    public func pollTimeout() -> Int64 {
        var d = min(link.deadline, failoverDeadline)
        guard link.isConnected else { return d }
        for p in pending.values { d = min(d, p.nextRetry) }
        return min(d, receiverTimers.next)
    }

    /// Every datagram received and given up as lost since the client started, over all streams (wrapping), for
    /// the HEARTBEAT's receiver report.
    public var receiverReport: ReceiverReport {
        var received = retiredReceived
        var lost = retiredLost
        for r in receivers.values {
            received &+= r.detector.counters.received
            lost &+= r.detector.counters.lost
        }
        return ReceiverReport(received: UInt32(truncatingIfNeeded: received), lost: UInt32(truncatingIfNeeded: lost))
    }

    /// Puts a receiver's next deadline in the timer table.
    private mutating func schedule(_ id: StreamID) {
        guard let r = receivers[id] else { return receiverTimers.cancel(id) }
        receiverTimers.set(id, at: min(r.detector.deadline, r.assembler.deadline(budget: timers.latencyBudget) ?? .max))
    }

}
