/// The EBML data types (RFC 8794 §7) of the elements this writer uses.
public enum EBMLElementType: Sendable {
    case master
    case unsignedInteger
    case signedInteger
    case float
    case string
    case utf8
    case date
    case binary
}
