/// Why a stream went offline: recorded in its history, whose words the status page shows.
public enum StreamOfflineReason: Sendable, Hashable, CustomStringConvertible {
    /// Its owner is gone (a peer broker's stream, or no more specific reason).
    case producerOffline
    /// Its producer's HELLO no longer lists it.
    case noLongerAnnounced
    /// Its producer's session ended.
    case sessionEnded(SessionEndReason)

    public var description: String {
        switch self {
        case .producerOffline: "producer offline"
        case .noLongerAnnounced: "no longer announced by its producer"
        case .sessionEnded(let reason): reason.description
        }
    }
}
