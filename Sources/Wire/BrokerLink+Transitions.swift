extension BrokerLink {
    /// A state's name without its clocks: the rows of the transition table.
    public enum Phase: Hashable, Sendable, CaseIterable {
        case connecting, connected, suspecting, moving, stopped
    }

    /// What may change a link's phase. Clock changes within a phase (a HELLO's backoff, a heartbeat, a probe) are
    /// not inputs.
    public enum Input: Hashable, Sendable, CaseIterable {
        /// The owner starts (or restarts) connecting.
        case connect
        /// The broker forgot our session: a COOKIE echoing our token, or a HEARTBEAT_ACK of another epoch.
        case forgotten
        /// A WELCOME answering the attempt's HELLO.
        case welcome
        /// The broker answered (a HEARTBEAT_ACK of the session, any datagram).
        case heard
        /// A BYE: the broker is leaving.
        case leave
        /// A BYE `disconnected` carrying our token: the broker's operator ended our session.
        case disconnect
        /// The owner suspects the broker (failover).
        case suspect
        /// The lease ran out, or a suspicion's deadline passed (reported as `.lost`).
        case lost
        /// The owner's failover leaves this broker for another of the cluster.
        case move
    }

    /// Every legal change of phase, in the spirit of h11's transition table: an input a phase does not list leaves
    /// the link as it is (`enter` checks each change against it in debug builds, and the tests drive every pair).
    /// A WELCOME to an attempt that carries a suspicion is `welcome` then `suspect`.
    public static let transitions: [Phase: [Input: Phase]] = [
        .connecting: [.connect: .connecting, .welcome: .connected, .move: .moving],
        .moving: [.connect: .moving, .welcome: .connected, .move: .moving],
        .connected: [
            .connect: .connecting, .forgotten: .connecting, .leave: .connecting, .lost: .connecting,
            .disconnect: .stopped, .suspect: .suspecting, .move: .moving,
        ],
        .suspecting: [
            .connect: .connecting, .forgotten: .connecting, .leave: .connecting, .lost: .connecting,
            .disconnect: .stopped, .heard: .connected, .move: .moving,
        ],
        .stopped: [.connect: .connecting, .move: .moving],
    ]

    /// The phase `input` takes a link in `phase` to (nil: the input is not taken there).
    public static func next(_ phase: Phase, on input: Input) -> Phase? { transitions[phase]?[input] }
}
