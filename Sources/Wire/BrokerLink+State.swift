extension BrokerLink {
    /// Where the link stands with its broker. Each case carries the clocks only it runs, so no value stands for a
    /// state. A change of case is a transition of `BrokerLink.transitions` (`BrokerLink+Transitions.swift`), made in
    /// one of `BrokerLink`'s event functions (`connect`, `handle`, `heard`, `suspect`, `move`, `poll`) through
    /// `enter`; an event a state does not take leaves it as it is. The lost transition is written once (`lose`).
    public enum State: Equatable, Sendable {
        /// HELLOs go out, with backoff, until a WELCOME answers one.
        case connecting(Attempt)
        /// A session is up; heartbeats keep it, and silence for the lease loses it.
        case connected(Liveness)
        /// A session is up but the owner suspects the broker (failover): quick probes until it answers (back to
        /// connected) or the suspicion's deadline passes (`.lost`).
        case suspecting(Liveness, Suspicion)
        /// The owner's failover left the broker for another of the cluster: HELLOs go to the new one, as while
        /// connecting, and its WELCOME ends the move (a client then keeps its receivers: the gap is NACKed there).
        case moving(Attempt)
        /// The broker's operator ended our session: nothing is sent until the owner calls `connect` (or moves).
        case stopped
    }

    /// One attempt at a session.
    public struct Attempt: Equatable, Sendable {
        /// When the next HELLO goes out.
        public var nextHello: Int64
        /// Whether the broker does not know our session (the first HELLO, the broker forgot or left us, another
        /// broker): the WELCOME is then announced as fresh and the owner announces its state again.
        public var fresh: Bool
        /// A suspicion under way when the broker asked for a new handshake (its COOKIE, a new epoch, a re-announce):
        /// the session that follows goes on with it, so the broker still has to answer a probe.
        public var suspicion: Suspicion?
    }

    /// The liveness clocks of a session.
    public struct Liveness: Equatable, Sendable {
        public var lastHeard: Int64
        public var nextHeartbeat: Int64
        /// When to repeat a heartbeat that is still unanswered (nil: none outstanding), and the delay after that.
        public var heartbeatRetryAt: Int64?
        public var heartbeatRetryDelay: Int64
        /// The first `probe` into the current silence (nil: none); unanswered if nothing was heard since.
        public var firstProbeAt: Int64?
    }

    /// A suspicion being confirmed: when to probe again, and when to give the broker up.
    public struct Suspicion: Equatable, Sendable {
        public var probeAt: Int64
        public var deadline: Int64
    }
}

extension BrokerLink.State {
    /// The state's name, without its clocks.
    public var phase: BrokerLink.Phase {
        switch self {
        case .connecting: .connecting
        case .connected: .connected
        case .suspecting: .suspecting
        case .moving: .moving
        case .stopped: .stopped
        }
    }
}

extension BrokerLink {
    /// Whether a session is up (connected or suspecting).
    public var isConnected: Bool { liveness != nil }

    public var isSuspecting: Bool {
        if case .suspecting = state { return true }
        return false
    }

    /// The session's liveness clocks (nil: no session).
    var liveness: Liveness? {
        switch state {
        case .connected(let l), .suspecting(let l, _): l
        case .connecting, .moving, .stopped: nil
        }
    }

    /// The attempt under way (nil: a session is up, or the link is stopped).
    var attempt: Attempt? {
        switch state {
        case .connecting(let a), .moving(let a): a
        case .connected, .suspecting, .stopped: nil
        }
    }

    /// Whether the link moved and the new broker has not welcomed it yet.
    public var isMoving: Bool {
        if case .moving = state { return true }
        return false
    }

    /// A suspicion under way, of the session or carried by the attempt.
    var suspicion: Suspicion? {
        switch state {
        case .suspecting(_, let s): s
        case .connecting(let a), .moving(let a): a.suspicion
        case .connected, .stopped: nil
        }
    }
}
