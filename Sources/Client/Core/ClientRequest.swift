import Wire

/// A request the user made, as events name it.
public enum ClientRequest: Equatable, Sendable {
    case subscribe(StreamID)
    case unsubscribe(StreamID)
    case list
}
