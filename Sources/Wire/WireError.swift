/// Why a datagram from a peer was refused. Decoding never traps: every peer mistake is one of these.
public enum WireError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The datagram ended inside `field`.
    case truncated(field: WireField)
    case badMagic(UInt16)
    case unsupportedVersion(UInt8)
    case unknownType(UInt8)
    case badLength(type: MessageType, length: Int)
    case badField(field: WireField, value: UInt64)
    case limitExceeded(limit: WireLimit, value: Int)

    public var description: String {
        switch self {
        case .truncated(let f): "truncated datagram (field \(f))"
        case .badMagic(let m): "bad magic 0x\(String(m, radix: 16))"
        case .unsupportedVersion(let v): "unsupported protocol version \(v)"
        case .unknownType(let t): "unknown message type \(t)"
        case .badLength(let t, let l): "bad length \(l) for \(t)"
        case .badField(let f, let v): "bad value \(v) in field \(f)"
        case .limitExceeded(let l, let v): "limit \(l) exceeded (\(v))"
        }
    }

    /// What kind of failure this is; its label is stable (a metrics label).
    public var reason: MalformedReason {
        switch self {
        case .truncated: .truncated
        case .badMagic: .badMagic
        case .unsupportedVersion: .badVersion
        case .unknownType: .unknownType
        case .badLength: .badLength
        case .badField: .badField
        case .limitExceeded: .limit
        }
    }
}
