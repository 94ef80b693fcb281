/// What a peer's link to the broker reports to its owner.
public enum LinkEvent: Equatable, Sendable {
    /// A session is established. `fresh` is true the first time and whenever the broker lost our session
    /// (it restarted or expired our lease): the owner must announce its state again.
    case connected(epoch: UInt64, fresh: Bool)
    /// No answer from the broker for the lease duration.
    case lost
    /// The broker said it is leaving.
    case brokerLeaving
    /// The broker's operator ended our session (BYE reason `disconnected`): the link stops and does not reconnect.
    case disconnected
    /// The broker refused our HELLO (a wrong stream key, a blocked id, a full table); HELLOs are retried with
    /// backoff, since an operator may fix it, but the owner should say so.
    case refused(ErrorCode, reason: String)
}

/// The peer side of session setup and liveness, shared by producer and client: HELLO/COOKIE/WELCOME,
/// heartbeats, RTT, lease, reconnect with backoff. Pure: fed with messages and `now`, returns datagrams.
public struct BrokerLink: Sendable {
    public let role: PeerRole
    public let producer: ProducerID?
    public var streams: [StreamDescriptor]
    /// A producer's stream key (16 bytes): proved in every HELLO, and the root of the session's media key.
    private let streamKey: [UInt8]
    /// The key this session's DATA is authenticated with (producers only; nil while not connected).
    public private(set) var mediaKey: DataMAC?
    public let timers: Timers
    /// Where the link stands (`BrokerLink+State.swift`): connecting, connected, suspecting, moving or stopped; it
    /// changes only by the transitions of `BrokerLink+Transitions.swift`.
    public private(set) var state: State = .connecting(Attempt(nextHello: 0, fresh: true))
    public private(set) var token: UInt64 = 0
    public private(set) var epoch: UInt64?
    public private(set) var rtt: RTTEstimator
    private var rng: SplitMix64
    private var nonce: UInt64 = 0
    /// The broker's challenge for the current attempt (from its COOKIE; 0 until then), echoed in every HELLO of it.
    private var challenge: UInt64 = 0
    /// The control keys of the current attempt (its WELCOME; an ERROR refusing it), and of the session, with the
    /// counters of the session's control messages taken so far.
    private var attemptSeal: ControlSeal?
    private var refusalSeal: ControlSeal?
    public private(set) var seal: ControlSeal?
    private var window = ReplayWindow()
    private var welcomeCounter: UInt32 = 0
    /// Control messages from the broker's address dropped: no valid tag under the session's key, or a counter taken.
    public private(set) var unauthenticated = 0
    /// When the last HELLO went out (nil: none yet).
    private var lastHelloAt: Int64?
    private var backoff: Int64
    private var heartbeatInterval: Int64
    private var leaseMisses: Int
    public private(set) var heartbeatsSent = 0
    /// Suspicions confirmed (the broker gave up as lost) and cleared (it answered).
    public private(set) var suspicionsConfirmed = 0
    public private(set) var suspicionsCleared = 0
    /// What the owner has received, sent in each HEARTBEAT when set (clients; producers leave it nil).
    public var report: ReceiverReport?
    /// The longest heartbeat interval this peer uses, whatever the broker's WELCOME says (nil: the broker's). A
    /// failover producer hears nothing else from its broker, so only frequent heartbeats reveal a hung one early.
    public var heartbeatCap: Int64?
    /// Extra time every suspicion is given on a loaded host (set by the owner from its `StallWatch`; 0 when quiet).
    public var loadAllowance: Int64 = 0
    /// COOKIEs ignored because they answered neither our HELLO nor a request of our session.
    public private(set) var spoofedCookies = 0

    public init(role: PeerRole, producer: ProducerID?, streams: [StreamDescriptor], streamKey: [UInt8] = [], timers: Timers, seed: UInt64) {
        precondition(role == .client || streamKey.count == StreamKeys.keyBytes, "a producer needs its 16-byte stream key")
        self.streamKey = streamKey
        self.role = role
        self.producer = producer
        self.streams = streams
        self.timers = timers
        rtt = RTTEstimator(initial: timers.initialRTT)
        rng = SplitMix64(seed: seed)
        backoff = timers.requestRetry
        heartbeatInterval = timers.heartbeatInterval
        leaseMisses = timers.leaseMisses
    }

    /// The attempt's HELLO (only while connecting or moving: every transition to them comes first).
    private mutating func hello(now: Int64) -> [UInt8] {
        guard var attempt else { preconditionFailure("a HELLO outside an attempt") }
        if nonce == 0 {
            nonce = rng.next() | 1
            challenge = 0  // a challenge is for one attempt's nonce
            attemptSeal = nil
        }
        lastHelloAt = now
        attempt.nextHello = now + backoff
        state = isMoving ? .moving(attempt) : .connecting(attempt)
        backoff = min(backoff * 2, timers.maxRequestBackoff)
        let h = Hello(token: token, nonce: nonce, role: role, producer: producer, streams: streams, challenge: challenge)
        if challenge != 0 && attemptSeal == nil {
            attemptSeal = ControlSeal.derive(streamKey: streamKey, token: token, nonce: nonce, challenge: challenge)
            refusalSeal = ControlSeal.derive(streamKey: [], token: token, nonce: nonce, challenge: challenge)
        }
        return Message.hello(role == .producer ? h.signed(streamKey: streamKey) : h).encode()
    }

    /// Starts (or restarts) connecting. A session that is up is kept by the broker (the WELCOME is not fresh).
    public mutating func connect(now: Int64) -> [UInt8] {
        let fresh =
            switch state {
            case .connecting(let a), .moving(let a): a.fresh
            case .connected, .suspecting: false
            case .stopped: true
            }
        return restart(now: now, fresh: fresh, suspicion: suspicion, on: .connect)
    }

    /// Every new attempt at a session but a BYE's goes through here: a new nonce, the backoff from the start, a
    /// HELLO now. The attempt is a move's when `input` is one or a move is under way.
    private mutating func restart(now: Int64, fresh: Bool, suspicion: Suspicion?, on input: Input) -> [UInt8] {
        nonce = 0
        backoff = timers.requestRetry
        let attempt = Attempt(nextHello: now, fresh: fresh, suspicion: suspicion)
        enter(input == .move || isMoving ? .moving(attempt) : .connecting(attempt), on: input)
        return hello(now: now)
    }

    /// The only way the link changes phase: by a transition the table lists (`BrokerLink+Transitions.swift`).
    private mutating func enter(_ new: State, on input: Input) {
        assert(Self.next(state.phase, on: input) == new.phase, "\(state.phase) does not take \(input) to \(new.phase)")
        state = new
    }

    /// The broker is given up (its lease ran out, or a suspicion was confirmed): a fresh attempt at once.
    private mutating func lose(now: Int64) -> (send: [[UInt8]], event: LinkEvent?) {
        ([restart(now: now, fresh: true, suspicion: nil, on: .lost)], .lost)
    }

    /// Handles a session message. Returns datagrams to send and an event, if any. Other messages are not its concern.
    public mutating func handle(_ m: Message, now: Int64) -> (send: [[UInt8]], event: LinkEvent?) {
        switch m {
        case .cookie(let n, let t, let c): return cookie(nonce: n, token: t, challenge: c, now: now)
        case .welcome(let w): return welcome(w, now: now)
        case .heartbeatAck(let echo, let e): return heartbeatAck(echo: echo, epoch: e, now: now)
        case .error(let e) where e.requestID == 0:
            guard attempt != nil else { return ([], nil) }
            return ([], .refused(e.code, reason: e.reason))
        case .bye(let t, let reason): return bye(token: t, reason: reason, now: now)
        default:
            updateLiveness { $0.lastHeard = now }
            return ([], nil)
        }
    }

    private mutating func cookie(nonce n: UInt64, token t: UInt64, challenge c: UInt64?, now: Int64) -> (send: [[UInt8]], event: LinkEvent?) {
        switch state {
        case .connected, .suspecting:
            // The broker no longer knows us (it restarted, or our lease expired there): its COOKIE echoes the
            // token of our request. Any other COOKIE is a spoof (someone sent a HELLO in our name) and is
            // ignored, so it cannot end a working session.
            guard n == token else { break }
            token = t
            return ([restart(now: now, fresh: true, suspicion: suspicion, on: .forgotten)], nil)
        case .connecting, .moving:
            guard n == nonce else { break }
            token = t
            if let c { challenge = c }
            attemptSeal = nil  // derived again from the new token and challenge with the next HELLO
            // The broker answers: if this HELLO is lost too, repeat it soon rather than after the backoff that its
            // silence had built up (at 10% loss that cost 800 ms, and a failover client left a live broker).
            backoff = timers.requestRetry
            return ([hello(now: now)], nil)
        case .stopped:
            break  // no HELLO of ours is out
        }
        spoofedCookies += 1
        return ([], nil)
    }

    private mutating func welcome(_ w: Welcome, now: Int64) -> (send: [[UInt8]], event: LinkEvent?) {
        guard let attempt, w.nonce == nonce else { return ([], nil) }
        let fresh = attempt.fresh || epoch != w.epoch
        if role == .producer { mediaKey = StreamKeys.mediaKey(streamKey: streamKey, nonce: nonce) }
        seal = attemptSeal
        window = ReplayWindow()
        _ = window.accept(welcomeCounter)
        epoch = w.epoch
        nonce = 0
        heartbeatInterval = min(Int64(w.heartbeatMillis) * 1000, heartbeatCap ?? .max)
        leaseMisses = Int(w.leaseMisses)
        let liveness = Liveness(
            lastHeard: now, nextHeartbeat: now + heartbeatInterval, heartbeatRetryAt: nil, heartbeatRetryDelay: timers.requestRetry,
            firstProbeAt: nil)
        enter(.connected(liveness), on: .welcome)
        if let s = attempt.suspicion { enter(.suspecting(liveness, s), on: .suspect) }
        backoff = timers.requestRetry
        return ([], .connected(epoch: w.epoch, fresh: fresh))
    }

    private mutating func heartbeatAck(echo: UInt64, epoch e: UInt64, now: Int64) -> (send: [[UInt8]], event: LinkEvent?) {
        guard isConnected else { return ([], nil) }
        guard e == epoch else { return ([restart(now: now, fresh: true, suspicion: suspicion, on: .forgotten)], nil) }
        updateLiveness {
            $0.lastHeard = now
            $0.heartbeatRetryAt = nil
        }
        clearSuspicion()
        let sample = now - Int64(bitPattern: echo)
        if sample >= 0 && sample < 10_000_000 { rtt.add(sample: sample) }
        return ([], nil)
    }

    private mutating func bye(token t: UInt64, reason: ByeReason, now: Int64) -> (send: [[UInt8]], event: LinkEvent?) {
        // A disconnect stops the link for good, so it must carry our token: an off-path spoofer cannot stop us.
        guard isConnected, reason != .disconnected || t == token else { return ([], nil) }
        nonce = 0
        backoff = timers.requestRetry
        if reason == .disconnected {
            // An operator's disconnect must stick: no HELLO until the owner calls `connect` again.
            enter(.stopped, on: .disconnect)
            return ([], .disconnected)
        }
        enter(.connecting(Attempt(nextHello: now + timers.requestRetry, fresh: true, suspicion: suspicion)), on: .leave)
        return ([], .brokerLeaving)
    }

    /// Checks a datagram from the broker's address before it is decoded: a control message of a sealed type must carry
    /// a valid tag under the session's key (its WELCOME: the attempt's; an ERROR refusing the attempt: the refusal
    /// key) and a counter not taken before. Returns the message without its trailer, the datagram itself if it is not
    /// sealed (DATA, COOKIE, NACK), or nil: a forgery or a replay, dropped and counted.
    public mutating func open(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8>? {
        guard let type = try? Message.peekType(bytes), ControlSeal.isSealed(type) else { return bytes }
        if let (body, counter) = expectedSeal(for: type)?.open(bytes) {
            switch state {
            case .connected, .suspecting: if window.accept(counter) { return body }
            // The last attempt's keys (a stopped link's too): its WELCOME, or an ERROR refusing it.
            case .connecting, .moving, .stopped:
                if type == .welcome { welcomeCounter = counter }
                return body
            }
        }
        unauthenticated += 1
        return nil
    }

    /// The key a control message of `type` from the broker must be sealed with now (nil: none is taken).
    public func expectedSeal(for type: MessageType) -> ControlSeal? {
        switch state {
        case .connected, .suspecting: seal
        case .connecting, .moving, .stopped: type == .welcome ? attemptSeal : type == .error ? refusalSeal : nil
        }
    }

    /// The highest counter of a control message taken in this session.
    public var lastControlCounter: UInt32 { isConnected ? window.highest : 0 }

    /// Notes that something arrived from the broker (any datagram proves it is alive).
    public mutating func heard(now: Int64) {
        updateLiveness { $0.lastHeard = now }
        clearSuspicion()
    }

    /// The owner expected media and heard nothing (failover): probe the broker with a heartbeat now, repeated every
    /// `suspectRepeat`; unless something arrives within `suspectWindow`, `poll` reports `.lost`.
    /// Probes into the same silence that went unanswered count: the window runs from the first of them, but the
    /// suspicion itself still gets `minConfirm` of quick probes, so at least six round trips must fail in all.
    public mutating func suspect(now: Int64) -> [[UInt8]] {
        guard case .connected(let l) = state else { return [] }
        let since = l.firstProbeAt.map { l.lastHeard < $0 ? $0 : now } ?? now
        let deadline = max(since + suspectWindow, now + timers.minConfirm + loadAllowance)
        enter(.suspecting(l, Suspicion(probeAt: now + timers.suspectRepeat, deadline: deadline)), on: .suspect)
        return [heartbeat(now: now)]
    }

    /// How long a suspected broker has to answer: `suspectTimeout`, or twice the retransmission timeout of the
    /// measured RTT when that is longer, so that a broker across an ocean is not left for being far away.
    public var suspectWindow: Int64 {
        guard rtt.hasSample else { return timers.suspectTimeout + loadAllowance }
        return max(timers.suspectTimeout, 2 * rtt.timeout) + loadAllowance
    }

    /// One heartbeat that suspects nothing (failover): sent into a silence so that a killed broker's host answers
    /// with ICMP port unreachable, which the owner's connected socket reports at once. A live broker's answer only
    /// refreshes the RTT.
    public mutating func probe(now: Int64) -> [UInt8]? {
        guard case .connected(var l) = state else { return nil }
        // A new silence starts with this probe unless an earlier one into it is still unanswered.
        if l.firstProbeAt.map({ l.lastHeard >= $0 }) ?? true { l.firstProbeAt = now }
        state = .connected(l)
        return heartbeat(now: now)
    }

    /// The owner's process was stalled for `stall` (`StallWatch`): it could neither hear the broker nor probe it, so
    /// that time is not the broker's silence. The liveness clocks move on by it, and a suspicion under way needs
    /// fresh probes: one goes now, and at least `minConfirm` of them must go unanswered before the broker is lost.
    public mutating func forgive(_ stall: Int64, now: Int64) {
        guard stall > 0 else { return }
        updateLiveness {
            $0.lastHeard = min(now, $0.lastHeard + stall)
            $0.firstProbeAt = $0.firstProbeAt.map { min(now, $0 + stall) }
        }
        guard case .suspecting(let l, var s) = state else { return }
        s.deadline = max(s.deadline + stall, now + timers.minConfirm)
        s.probeAt = now
        state = .suspecting(l, s)
    }

    /// When the broker was last heard from (nil: no session).
    public var lastHeardAt: Int64? { liveness?.lastHeard }

    /// The heartbeat period the broker asked for (its WELCOME), or the default before one.
    public var heartbeatPeriod: Int64 { heartbeatInterval }

    /// Changes the session's liveness clocks in place, whether suspecting or not (nothing without a session).
    private mutating func updateLiveness(_ change: (inout Liveness) -> Void) {
        switch state {
        case .connected(var l):
            change(&l)
            state = .connected(l)
        case .suspecting(var l, let s):
            change(&l)
            state = .suspecting(l, s)
        case .connecting, .moving, .stopped:
            break
        }
    }

    /// The broker answered while suspected: back to connected.
    private mutating func clearSuspicion() {
        guard case .suspecting(let l, _) = state else { return }
        suspicionsCleared += 1
        enter(.connected(l), on: .heard)
    }

    /// Leaves this broker for another of the cluster (failover): a new session, announced as fresh, with the token
    /// we hold (address cookies are cluster-wide; the new broker's COOKIE brings its challenge). Sends the HELLO at once if
    /// the session was up. A peer still connecting sends the new broker one HELLO at once but keeps its backoff,
    /// so a list of dead brokers is not hammered.
    /// `hurry`: start over with the backoff as well (the broker told us to go).
    public mutating func move(now: Int64, hurry: Bool = false) -> [UInt8]? {
        if isConnected || hurry { return restart(now: now, fresh: true, suspicion: nil, on: .move) }
        enter(.moving(Attempt(nextHello: attempt?.nextHello ?? .max, fresh: true, suspicion: nil)), on: .move)
        // A HELLO that just went out (the one `poll` sends with `.lost`) goes to the new broker: the owner sends
        // after moving. Two HELLOs with two nonces would open the session twice.
        return lastHelloAt == now ? nil : hello(now: now)
    }

    public mutating func poll(now: Int64) -> (send: [[UInt8]], event: LinkEvent?) {
        switch state {
        case .connecting(let a), .moving(let a):
            guard now >= a.nextHello else { return ([], nil) }
            return ([hello(now: now)], nil)
        case .stopped:
            return ([], nil)
        case .suspecting(let l, var s):
            if now >= s.deadline {
                suspicionsConfirmed += 1
                return lose(now: now)
            }
            guard now >= s.probeAt else { return keepAlive(l, now: now) }
            s.probeAt = now + timers.suspectRepeat
            state = .suspecting(l, s)
            return ([heartbeat(now: now)], nil)
        case .connected(let l):
            return keepAlive(l, now: now)
        }
    }

    /// The lease and the heartbeats of a session that is up.
    private mutating func keepAlive(_ liveness: Liveness, now: Int64) -> (send: [[UInt8]], event: LinkEvent?) {
        var l = liveness
        if now - l.lastHeard > leaseDuration { return lose(now: now) }
        if now >= l.nextHeartbeat {
            l.nextHeartbeat = now + heartbeatInterval
            l.heartbeatRetryDelay = timers.requestRetry
        } else if let retryAt = l.heartbeatRetryAt, now >= retryAt {
            l.heartbeatRetryDelay *= 2
        } else {
            return ([], nil)
        }
        // An unanswered heartbeat is repeated after requestRetry, doubling, while that stays before the next
        // regular one: a broker restart (answered with COOKIE) or a lost heartbeat then costs tens of
        // milliseconds instead of a whole heartbeat interval.
        let retry = now + l.heartbeatRetryDelay
        l.heartbeatRetryAt = retry < l.nextHeartbeat ? retry : nil
        updateLiveness { $0 = l }
        return ([heartbeat(now: now)], nil)
    }

    /// How long the broker may stay silent before it is lost.
    private var leaseDuration: Int64 { heartbeatInterval * Int64(leaseMisses) }

    private mutating func heartbeat(now: Int64) -> [UInt8] {
        heartbeatsSent += 1
        let rttMicros = UInt32(clamping: rtt.hasSample ? rtt.smoothed : 0)
        return Message.heartbeat(token: token, sendTime: UInt64(bitPattern: now), rttMicros: rttMicros, report: report).encode()
    }

    public var deadline: Int64 {
        switch state {
        case .connecting(let a), .moving(let a): a.nextHello
        case .stopped: .max
        case .connected(let l): sessionDeadline(l)
        case .suspecting(let l, let s): min(sessionDeadline(l), s.probeAt, s.deadline)
        }
    }

    private func sessionDeadline(_ l: Liveness) -> Int64 {
        min(l.nextHeartbeat, l.heartbeatRetryAt ?? .max, l.lastHeard + leaseDuration + 1)
    }

    /// The datagram that tells the broker we are leaving.
    public func bye() -> [UInt8] { Message.bye(token: token, reason: .quit).encode() }
}
