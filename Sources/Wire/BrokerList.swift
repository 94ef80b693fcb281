/// The brokers a producer or client may use (`BROKER_ADDRESS` with several entries) and the one it uses now.
/// The first is picked at random (from the peer's seed), so new peers spread over the cluster; a move takes the
/// next one in the list, round robin, so a peer never returns to a broker it just left unless all others failed.
public struct BrokerList: Sendable, Equatable {
    /// The most brokers a list holds; further entries are ignored (a cluster is a handful of brokers).
    public static let maxBrokers = 16

    public let addresses: [PeerAddress]
    public private(set) var index: Int
    /// How many times the peer moved to another broker.
    public private(set) var moves = 0

    /// `seed` picks the first broker: a random one of the list (`first` pins it instead, for tests).
    public init(_ addresses: [PeerAddress], seed: UInt64, first: Int? = nil) {
        precondition(!addresses.isEmpty, "a broker list needs a broker")
        self.addresses = Array(addresses.prefix(Self.maxBrokers))
        var r = SplitMix64(seed: seed ^ 0x6272_6F6B_6572)
        index = (first ?? Int(r.next() % UInt64(self.addresses.count))) % self.addresses.count
    }

    public var current: PeerAddress { addresses[index] }

    /// Whether there is anywhere to move to.
    public var canMove: Bool { addresses.count > 1 }

    /// Moves to the next broker of the list; returns it.
    @discardableResult
    public mutating func advance() -> PeerAddress {
        index = (index + 1) % addresses.count
        moves += 1
        return current
    }
}
