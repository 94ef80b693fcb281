import Wire

/// Why the broker ended a peer's session. `description` is the words the stream history (the status page) shows
/// for the streams the session took offline; `label` is a stable snake_case name for counting or filtering.
public enum SessionEndReason: Sendable, Hashable, CustomStringConvertible {
    /// No more specific reason: a peer broker's session ending with its link.
    case ended
    /// The peer sent BYE.
    case goodbye
    /// The peer went silent for its lease.
    case leaseExpired
    /// The operator disconnected the client (the status page).
    case disconnectedByOperator
    /// The operator blocked the producer, here or at another broker of the cluster.
    case blockedByOperator
    /// A HELLO from the same address with another role or producer id.
    case replacedByAnotherRole
    /// The producer said HELLO again from another address, `from`.
    case replacedByNewerSession(from: PeerAddress)

    public var label: String {
        switch self {
        case .ended: "ended"
        case .goodbye: "goodbye"
        case .leaseExpired: "lease_expired"
        case .disconnectedByOperator: "disconnected_by_operator"
        case .blockedByOperator: "blocked_by_operator"
        case .replacedByAnotherRole: "replaced_by_another_role"
        case .replacedByNewerSession: "replaced_by_newer_session"
        }
    }

    public var description: String {
        switch self {
        case .ended: "session ended"
        case .goodbye: "producer said goodbye"
        case .leaseExpired: "lease expired"
        case .disconnectedByOperator: "disconnected by the operator"
        case .blockedByOperator: "blocked by the operator"
        case .replacedByAnotherRole: "replaced by a session of another role or id"
        case .replacedByNewerSession(let from): "replaced by a newer session from \(from)"
        }
    }
}
