/// Bounds on what one WebSocket connection may make the server hold.
public struct WebSocketLimits: Sendable, Equatable {
    /// Largest message a client may send, all fragments together. The viewer's page sends short commands.
    public var maxMessageBytes: Int
    /// Fragments in one message.
    public var maxFragments: Int

    /// 64 KiB messages of at most 64 fragments.
    public init(maxMessageBytes: Int = 65_536, maxFragments: Int = 64) {
        self.maxMessageBytes = maxMessageBytes
        self.maxFragments = maxFragments
    }
}
