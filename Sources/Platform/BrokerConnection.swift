import Wire

/// The broker a failover peer's UDP socket is connected to (connect(2)), so that the kernel reports a killed
/// broker's ICMP port unreachable on it (ECONNREFUSED, counted in `UDPSocket.refusals`); re-connected when the peer
/// moves. A peer given one broker leaves its socket unconnected. Shared by the producer, the client and
/// `client --sessions`.
public struct BrokerConnection: Sendable {
    /// The broker the socket is connected to (nil: not connected, a single broker).
    public private(set) var broker: PeerAddress?
    /// `socket.refusals` already reported by `refused`.
    private var refusalsSeen = 0

    /// Connects `socket` to `broker` (nil: a single broker; the socket stays unconnected).
    public init(socket: UDPSocket, broker: PeerAddress?) {
        if let broker { socket.connect(to: broker) }
        self.broker = broker
    }

    /// Re-connects the socket when the peer has moved to `current`, before anything goes there: a connected socket
    /// drops what comes from any other address, the new broker's WELCOME included. Returns the broker it left.
    @discardableResult
    public mutating func follow(_ socket: UDPSocket, to current: PeerAddress) -> PeerAddress? {
        guard let left = broker, left != current else { return nil }
        socket.connect(to: current)
        broker = current
        return left
    }

    /// Whether the socket reported the broker unreachable since the last call.
    public mutating func refused(_ socket: UDPSocket) -> Bool {
        guard socket.refusals != refusalsSeen else { return false }
        refusalsSeen = socket.refusals
        return true
    }
}
