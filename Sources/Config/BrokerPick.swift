/// Which broker of a `BROKER_ADDRESS` list a producer or client starts on (`BROKER_PICK`).
public enum BrokerPick: String, Sendable, CaseIterable {
    /// A random one of the list, so that new producers and clients spread over the cluster.
    case random
    /// The first entry: a setup that gives each service a home broker and lists the others after it only for
    /// failover (docker-compose.yml).
    case first

    /// The index in the list to start on, as the sessions take it (nil: a random one).
    public var firstIndex: Int? { self == .first ? 0 : nil }
}
