/// Why a datagram from a peer was refused. Decoding never traps: every peer mistake is one of these.
public enum WireError: Error, Equatable, Sendable, CustomStringConvertible {
    case truncated(field: String)
    case badMagic(UInt16)
    case unsupportedVersion(UInt8)
    case unknownType(UInt8)
    case badLength(type: String, length: Int)
    case badField(field: String, value: UInt64)
    case limitExceeded(limit: String, value: Int)

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

    /// A short stable name, used as a metrics label.
    public var reason: String {
        switch self {
        case .truncated: "truncated"
        case .badMagic: "bad_magic"
        case .unsupportedVersion: "bad_version"
        case .unknownType: "unknown_type"
        case .badLength: "bad_length"
        case .badField: "bad_field"
        case .limitExceeded: "limit"
        }
    }
}
