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
    public enum State: Equatable, Sendable {
        case connecting
        case connected
    }

    public let role: PeerRole
    public let producer: ProducerID?
    public var streams: [StreamDescriptor]
    /// A producer's stream key (16 bytes): proved in every HELLO, and the root of the session's media key.
    private let streamKey: [UInt8]
    /// The key this session's DATA is authenticated with (producers only; nil while not connected).
    public private(set) var mediaKey: DataMAC?
    public let timers: Timers
    public private(set) var state: State = .connecting
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
    private var nextHello: Int64 = 0
    private var lastHelloAt: Int64 = .min
    private var backoff: Int64
    private var lastHeard: Int64 = 0
    private var nextHeartbeat: Int64 = .max
    /// When to repeat a heartbeat that is still unanswered (`.max`: none outstanding), and the delay after that.
    private var heartbeatRetryAt: Int64 = .max
    private var heartbeatRetryDelay: Int64 = 0
    private var heartbeatInterval: Int64
    private var leaseMisses: Int
    /// Set when the broker told us it does not know our session, so the next WELCOME is announced as fresh.
    private var sessionLost = true
    public private(set) var heartbeatsSent = 0
    /// While a suspicion is being confirmed (`suspect`): when to probe again, and when to give the broker up.
    private var probeAt: Int64 = .max
    private var suspectDeadline: Int64 = .max
    /// The first `probe` into the current silence (`.max`: none); unanswered if nothing was heard since.
    private var firstProbeAt: Int64 = .max
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

    public var isConnected: Bool { state == .connected }

    private mutating func hello(now: Int64) -> [UInt8] {
        if nonce == 0 {
            nonce = rng.next() | 1
            challenge = 0  // a challenge is for one attempt's nonce
            attemptSeal = nil
        }
        lastHelloAt = now
        nextHello = now + backoff
        backoff = min(backoff * 2, timers.maxRequestBackoff)
        let h = Hello(token: token, nonce: nonce, role: role, producer: producer, streams: streams, challenge: challenge)
        if challenge != 0 && attemptSeal == nil {
            attemptSeal = ControlSeal.derive(streamKey: streamKey, token: token, nonce: nonce, challenge: challenge)
            refusalSeal = ControlSeal.derive(streamKey: [], token: token, nonce: nonce, challenge: challenge)
        }
        return Message.hello(role == .producer ? h.signed(streamKey: streamKey) : h).encode()
    }

    /// Starts (or restarts) connecting.
    public mutating func connect(now: Int64) -> [UInt8] {
        state = .connecting
        nonce = 0
        backoff = timers.requestRetry
        lastHeard = now
        return hello(now: now)
    }

    /// Handles a session message. Returns datagrams to send and an event, if any. Other messages are not its concern.
    public mutating func handle(_ m: Message, now: Int64) -> (send: [[UInt8]], event: LinkEvent?) {
        switch m {
        case .cookie(let n, let t, let c):
            if state == .connected {
                // The broker no longer knows us (it restarted, or our lease expired there): its COOKIE echoes the
                // token of our request. Any other COOKIE is a spoof (someone sent a HELLO in our name) and is
                // ignored, so it cannot end a working session.
                guard n == token else {
                    spoofedCookies += 1
                    return ([], nil)
                }
                token = t
                sessionLost = true
                state = .connecting
                nonce = 0
                backoff = timers.requestRetry
                return ([hello(now: now)], nil)
            }
            guard n == nonce else {
                spoofedCookies += 1
                return ([], nil)
            }
            token = t
            if let c { challenge = c }
            attemptSeal = nil  // derived again from the new token and challenge with the next HELLO
            nextHello = now  // answer at once with the cookie
            // The broker answers: if this HELLO is lost too, repeat it soon rather than after the backoff that its
            // silence had built up (at 10% loss that cost 800 ms, and a failover client left a live broker).
            backoff = timers.requestRetry
            return ([hello(now: now)], nil)
        case .welcome(let w):
            guard state == .connecting, w.nonce == nonce else { return ([], nil) }
            let fresh = sessionLost || epoch != w.epoch
            if role == .producer { mediaKey = StreamKeys.mediaKey(streamKey: streamKey, nonce: nonce) }
            seal = attemptSeal
            window = ReplayWindow()
            _ = window.accept(welcomeCounter)
            epoch = w.epoch
            state = .connected
            sessionLost = false
            nonce = 0
            heartbeatInterval = min(Int64(w.heartbeatMillis) * 1000, heartbeatCap ?? .max)
            leaseMisses = Int(w.leaseMisses)
            lastHeard = now
            nextHeartbeat = now + heartbeatInterval
            heartbeatRetryAt = .max
            backoff = timers.requestRetry
            return ([], .connected(epoch: w.epoch, fresh: fresh))
        case .heartbeatAck(let echo, let e):
            guard state == .connected else { return ([], nil) }
            if e != epoch {
                sessionLost = true
                return ([connect(now: now)], nil)
            }
            lastHeard = now
            heartbeatRetryAt = .max
            clearSuspicion()
            let sample = now - Int64(bitPattern: echo)
            if sample >= 0 && sample < 10_000_000 { rtt.add(sample: sample) }
            return ([], nil)
        case .error(let e) where e.requestID == 0:
            guard state == .connecting else { return ([], nil) }
            return ([], .refused(e.code, reason: e.reason))
        case .bye(let t, let reason):
            // A disconnect stops the link for good, so it must carry our token: an off-path spoofer cannot stop us.
            guard state == .connected, reason != .disconnected || t == token else { return ([], nil) }
            sessionLost = true
            state = .connecting
            nonce = 0
            backoff = timers.requestRetry
            // An operator's disconnect must stick: no HELLO until the owner calls `connect` again.
            nextHello = reason == .disconnected ? .max : now + timers.requestRetry
            return ([], reason == .disconnected ? .disconnected : .brokerLeaving)
        default:
            if state == .connected { lastHeard = now }
            return ([], nil)
        }
    }

    /// Checks a datagram from the broker's address before it is decoded: a control message of a sealed type must carry
    /// a valid tag under the session's key (its WELCOME: the attempt's; an ERROR refusing the attempt: the refusal
    /// key) and a counter not taken before. Returns the message without its trailer, the datagram itself if it is not
    /// sealed (DATA, COOKIE, NACK), or nil: a forgery or a replay, dropped and counted.
    public mutating func open(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8>? {
        guard let type = try? Message.peekType(bytes), ControlSeal.isSealed(type) else { return bytes }
        if let (body, counter) = expectedSeal(for: type)?.open(bytes) {
            switch state {
            case .connected where window.accept(counter): return body
            case .connecting where type == .welcome:
                welcomeCounter = counter
                return body
            case .connecting: return body  // an ERROR refusing this attempt
            default: break
            }
        }
        unauthenticated += 1
        return nil
    }

    /// The key a control message of `type` from the broker must be sealed with now (nil: none is taken).
    public func expectedSeal(for type: MessageType) -> ControlSeal? {
        switch state {
        case .connected: seal
        case .connecting: type == .welcome ? attemptSeal : type == .error ? refusalSeal : nil
        }
    }

    /// The highest counter of a control message taken in this session.
    public var lastControlCounter: UInt32 { state == .connected ? window.highest : 0 }

    /// Notes that something arrived from the broker (any datagram proves it is alive).
    public mutating func heard(now: Int64) {
        guard state == .connected else { return }
        lastHeard = now
        clearSuspicion()
    }

    /// The owner expected media and heard nothing (failover): probe the broker with a heartbeat now, repeated every
    /// `suspectRepeat`; unless something arrives within `suspectWindow`, `poll` reports `.lost`.
    /// Probes into the same silence that went unanswered count: the window runs from the first of them, but the
    /// suspicion itself still gets `minConfirm` of quick probes, so at least six round trips must fail in all.
    public mutating func suspect(now: Int64) -> [[UInt8]] {
        guard state == .connected, suspectDeadline == .max else { return [] }
        let since = firstProbeAt != .max && lastHeard < firstProbeAt ? firstProbeAt : now
        suspectDeadline = max(since + suspectWindow, now + timers.minConfirm + loadAllowance)
        probeAt = now + timers.suspectRepeat
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
        guard state == .connected, suspectDeadline == .max else { return nil }
        if firstProbeAt == .max || lastHeard >= firstProbeAt { firstProbeAt = now }
        return heartbeat(now: now)
    }

    public var isSuspecting: Bool { suspectDeadline != .max }

    /// The owner's process was stalled for `stall` (`StallWatch`): it could neither hear the broker nor probe it, so
    /// that time is not the broker's silence. The liveness clocks move on by it, and a suspicion under way needs
    /// fresh probes: one goes now, and at least `minConfirm` of them must go unanswered before the broker is lost.
    public mutating func forgive(_ stall: Int64, now: Int64) {
        guard state == .connected, stall > 0 else { return }
        lastHeard = min(now, lastHeard + stall)
        if firstProbeAt != .max { firstProbeAt = min(now, firstProbeAt + stall) }
        guard suspectDeadline != .max else { return }
        suspectDeadline = max(suspectDeadline + stall, now + timers.minConfirm)
        probeAt = now
    }

    /// When the broker was last heard from (while connected).
    public var lastHeardAt: Int64 { lastHeard }

    /// The heartbeat period the broker asked for (its WELCOME), or the default before one.
    public var heartbeatPeriod: Int64 { heartbeatInterval }

    private mutating func clearSuspicion() {
        guard suspectDeadline != .max else { return }
        suspicionsCleared += 1
        suspectDeadline = .max
        probeAt = .max
    }

    /// Leaves this broker for another of the cluster (failover): a new session, announced as fresh, with the token
    /// we hold (address cookies are cluster-wide; the new broker's COOKIE brings its challenge). Sends the HELLO at once if
    /// the session was up. A peer still connecting sends the new broker one HELLO at once but keeps its backoff,
    /// so a list of dead brokers is not hammered.
    /// `hurry`: start over with the backoff as well (the broker told us to go).
    public mutating func move(now: Int64, hurry: Bool = false) -> [UInt8]? {
        let wasConnected = state == .connected || hurry
        state = .connecting
        sessionLost = true
        suspectDeadline = .max
        probeAt = .max
        heartbeatRetryAt = .max
        lastHeard = now
        if wasConnected {
            nonce = 0
            backoff = timers.requestRetry
            return hello(now: now)
        }
        // A HELLO that just went out (the one `poll` sends with `.lost`) goes to the new broker: the owner sends
        // after moving. Two HELLOs with two nonces would open the session twice.
        return lastHelloAt == now ? nil : hello(now: now)
    }

    public mutating func poll(now: Int64) -> (send: [[UInt8]], event: LinkEvent?) {
        switch state {
        case .connecting:
            guard now >= nextHello else { return ([], nil) }
            return ([hello(now: now)], nil)
        case .connected:
            if now >= suspectDeadline {
                suspicionsConfirmed += 1
                suspectDeadline = .max
                probeAt = .max
                state = .connecting
                sessionLost = true
                nonce = 0
                backoff = timers.requestRetry
                return ([hello(now: now)], .lost)
            }
            if now >= probeAt {
                probeAt = now + timers.suspectRepeat
                return ([heartbeat(now: now)], nil)
            }
            if now - lastHeard > heartbeatInterval * Int64(leaseMisses) {
                state = .connecting
                sessionLost = true
                nonce = 0
                backoff = timers.requestRetry
                return ([hello(now: now)], .lost)
            }
            if now >= nextHeartbeat {
                nextHeartbeat = now + heartbeatInterval
                heartbeatRetryDelay = timers.requestRetry
            } else if now >= heartbeatRetryAt {
                heartbeatRetryDelay *= 2
            } else {
                return ([], nil)
            }
            // An unanswered heartbeat is repeated after requestRetry, doubling, while that stays before the next
            // regular one: a broker restart (answered with COOKIE) or a lost heartbeat then costs tens of
            // milliseconds instead of a whole heartbeat interval.
            let retry = now + heartbeatRetryDelay
            heartbeatRetryAt = retry < nextHeartbeat ? retry : .max
            return ([heartbeat(now: now)], nil)
        }
    }

    private mutating func heartbeat(now: Int64) -> [UInt8] {
        heartbeatsSent += 1
        let rttMicros = UInt32(clamping: rtt.hasSample ? rtt.smoothed : 0)
        return Message.heartbeat(token: token, sendTime: UInt64(bitPattern: now), rttMicros: rttMicros, report: report).encode()
    }

    public var deadline: Int64 {
        switch state {
        case .connecting: nextHello
        case .connected: min(nextHeartbeat, heartbeatRetryAt, probeAt, suspectDeadline, lastHeard + heartbeatInterval * Int64(leaseMisses) + 1)
        }
    }

    /// The datagram that tells the broker we are leaving.
    public func bye() -> [UInt8] { Message.bye(token: token, reason: .quit).encode() }
}
