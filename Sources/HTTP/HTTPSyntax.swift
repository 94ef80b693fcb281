/// Byte classes and small scanners from RFC 9110 / RFC 9112, shared by parser, request and response.
enum HTTPSyntax {
    static let cr = UInt8(ascii: "\r")
    static let lf = UInt8(ascii: "\n")
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")
    static let colon = UInt8(ascii: ":")
    static let comma = UInt8(ascii: ",")

    /// tchar: the bytes of methods and field names.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "A")...UInt8(ascii: "Z"):
            true
        default:
            "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }

    /// A non-empty run of tchar.
    static func isToken(_ bytes: some Collection<UInt8>) -> Bool {
        !bytes.isEmpty && bytes.allSatisfy(isTokenByte)
    }

    /// Visible ASCII: a request target has no spaces, controls or raw non-ASCII.
    static func isTargetByte(_ byte: UInt8) -> Bool { byte > 0x20 && byte < 0x7F }

    /// field-vchar, SP, HT or obs-text: every byte but the controls other than HT.
    static func isFieldValueByte(_ byte: UInt8) -> Bool { byte == tab || (byte >= 0x20 && byte != 0x7F) }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    static func isWhitespace(_ byte: UInt8) -> Bool { byte == space || byte == tab }

    /// The value of a hex digit, nil for any other byte.
    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    static func lowercased(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
    }

    /// ASCII case-insensitive equality, which is how field names and tokens compare.
    static func equalsIgnoringCase(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
        a.count == b.count && a.elementsEqual(b) { lowercased($0) == lowercased($1) }
    }

    /// `bytes` without leading and trailing optional whitespace (OWS).
    static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        let head = bytes.drop(while: isWhitespace)
        let end = head.lastIndex { !isWhitespace($0) }.map { $0 + 1 } ?? head.startIndex
        return head[head.startIndex..<end]
    }

    /// The trimmed elements of a comma-separated field value, empty ones kept so callers can reject them.
    static func listElements(_ value: String) -> [ArraySlice<UInt8>] {
        Array(value.utf8).split(separator: comma, omittingEmptySubsequences: false).map(trimmed)
    }

    /// The length of an `http://` or `https://` prefix (absolute-form target), nil if there is none.
    static func absoluteSchemeLength(_ bytes: some Collection<UInt8>) -> Int? {
        for scheme in ["http://", "https://"] where equalsIgnoringCase(bytes.prefix(scheme.utf8.count), scheme.utf8) {
            return scheme.utf8.count
        }
        return nil
    }

    static func string(_ bytes: some Collection<UInt8>) -> String { String(decoding: bytes, as: UTF8.self) }
}
