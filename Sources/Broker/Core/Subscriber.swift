import Wire

/// A client with a session, as the forwarding layer knows it: a stable queue slot and where to send.
public struct Subscriber: Hashable, Sendable {
    public var slot: Int
    public var address: PeerAddress
    public init(slot: Int, address: PeerAddress) {
        self.slot = slot
        self.address = address
    }
}
