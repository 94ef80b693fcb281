/// HTTP Basic credentials (RFC 7617) from an Authorization header: `Basic base64(user:password)`.
public struct BasicAuth: Sendable, Equatable {
    public let user: String
    public let password: String

    /// Longest header value decoded: credentials are short, and a long one is not worth the work.
    public static let maxHeaderBytes = 1024

    /// The credentials in `header`, nil when it is absent, not Basic, not valid base64, or has no colon.
    public static func parse(_ header: String?) -> BasicAuth? {
        guard let header, header.utf8.count <= maxHeaderBytes else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "basic" else { return nil }
        guard let bytes = base64Decode(parts[1].trimmingCharacters(in: " ")), let colon = bytes.firstIndex(of: UInt8(ascii: ":")) else {
            return nil
        }
        return BasicAuth(user: String(decoding: bytes[..<colon], as: UTF8.self), password: String(decoding: bytes[(colon + 1)...], as: UTF8.self))
    }

    /// Standard base64 with padding (RFC 4648 §4); nil on any other byte or a bad length.
    static func base64Decode(_ text: Substring) -> [UInt8]? {
        var chars = Array(text.utf8)
        guard chars.count % 4 == 0 else { return nil }
        var pad = 0
        while pad < 2, chars.last == UInt8(ascii: "=") {
            chars.removeLast()
            pad += 1
        }
        var out: [UInt8] = []
        out.reserveCapacity(chars.count * 3 / 4)
        var acc: UInt32 = 0
        var bits = 0
        for c in chars {
            guard let v = value(c) else { return nil }
            acc = acc << 6 | UInt32(v)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: acc >> UInt32(bits)))
            }
        }
        return out
    }

    private static func value(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): c - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): c - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"): 62
        case UInt8(ascii: "/"): 63
        default: nil
        }
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: Character) -> Substring {
        var s = self
        while s.first == set { s = s.dropFirst() }
        while s.last == set { s = s.dropLast() }
        return s
    }
}
