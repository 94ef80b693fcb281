/// Why the parser gave up on a connection, with the close code to send (RFC 6455 §7.4.1).
public enum WebSocketError: Error, Equatable, Sendable {
    /// RSV bits set without an extension that defines them.
    case reservedBits
    /// An opcode RFC 6455 reserves.
    case unknownOpcode(UInt8)
    /// A client frame without the mask bit (§5.1 requires every client frame to be masked).
    case unmasked
    /// A control frame fragmented or over 125 bytes.
    case badControlFrame
    /// A continuation with no message started, or a new message in the middle of a fragmented one.
    case badFragmentation
    /// A length not in its shortest form, or with the most significant bit of the 64-bit form set.
    case badLength
    /// A message (all its fragments together) over `WebSocketLimits.maxMessageBytes`.
    case tooLarge(Int)
    /// Text that is not UTF-8, or a close reason that is not.
    case invalidUTF8
    /// A close payload of one byte, or a status code a peer may not send.
    case badClose

    /// The status code of the close frame that answers this error.
    public var closeCode: UInt16 {
        switch self {
        case .tooLarge: 1009
        case .invalidUTF8: 1007
        default: 1002
        }
    }

    /// A short reason for the close frame and the log.
    public var reason: String {
        switch self {
        case .reservedBits: "reserved bits set"
        case .unknownOpcode(let o): "unknown opcode \(o)"
        case .unmasked: "client frame not masked"
        case .badControlFrame: "control frame fragmented or over 125 bytes"
        case .badFragmentation: "bad fragmentation"
        case .badLength: "length not in shortest form"
        case .tooLarge(let n): "message over \(n) bytes"
        case .invalidUTF8: "text is not UTF-8"
        case .badClose: "bad close frame"
        }
    }
}
