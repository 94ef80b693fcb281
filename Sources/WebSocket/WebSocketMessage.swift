/// What the parser hands on: a whole message (fragments joined) or a control frame.
public enum WebSocketMessage: Equatable, Sendable {
    case text(String)
    case binary([UInt8])
    case ping([UInt8])
    case pong([UInt8])
    /// The peer is closing; `code` is nil when its close frame carried no status.
    case close(code: UInt16?, reason: String)
}
