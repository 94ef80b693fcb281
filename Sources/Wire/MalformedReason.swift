/// What kind of decoding failure a `WireError` is: the broker counts malformed datagrams by it, and its `label`
/// (prefixed `malformed_`) is the series in `broker_drops_total` (docs/METRICS.md). A label never changes once
/// shipped; the raw values are 0, 1, 2, ... so a counter per kind is an array slot.
public enum MalformedReason: Int, CaseIterable, Sendable, CustomStringConvertible {
    case truncated
    case badMagic
    case badVersion
    case unknownType
    case badLength
    case badField
    case limit

    /// The stable metric label.
    public var label: String {
        switch self {
        case .truncated: "truncated"
        case .badMagic: "bad_magic"
        case .badVersion: "bad_version"
        case .unknownType: "unknown_type"
        case .badLength: "bad_length"
        case .badField: "bad_field"
        case .limit: "limit"
        }
    }

    public var description: String { label }
}
