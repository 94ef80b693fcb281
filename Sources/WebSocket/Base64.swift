/// Base64 with the standard alphabet and padding (RFC 4648 §4), for the WebSocket handshake.
public enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// The padded encoding of `bytes`.
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        let input = Array(bytes)
        var out: [UInt8] = []
        out.reserveCapacity((input.count + 2) / 3 * 4)
        for i in stride(from: 0, to: input.count, by: 3) {
            let n = min(3, input.count - i)
            let b0 = UInt32(input[i])
            let b1 = n > 1 ? UInt32(input[i + 1]) : 0
            let b2 = n > 2 ? UInt32(input[i + 2]) : 0
            let v = b0 << 16 | b1 << 8 | b2
            out.append(alphabet[Int(v >> 18 & 63)])
            out.append(alphabet[Int(v >> 12 & 63)])
            out.append(n > 1 ? alphabet[Int(v >> 6 & 63)] : UInt8(ascii: "="))
            out.append(n > 2 ? alphabet[Int(v & 63)] : UInt8(ascii: "="))
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes of a padded encoding; nil for a wrong length, a byte outside the alphabet, misplaced padding or
    /// non-zero padding bits (so every accepted string has exactly one decoding).
    public static func decode(_ text: String) -> [UInt8]? {
        let input = Array(text.utf8)
        guard input.count % 4 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(input.count / 4 * 3)
        for i in stride(from: 0, to: input.count, by: 4) {
            let last = i + 4 == input.count
            let pad = input[i + 3] == UInt8(ascii: "=") ? (input[i + 2] == UInt8(ascii: "=") ? 2 : 1) : 0
            guard pad == 0 || last else { return nil }
            var v: UInt32 = 0
            for j in 0..<4 {
                if j >= 4 - pad {
                    v <<= 6
                    continue
                }
                guard let d = value(input[i + j]) else { return nil }
                v = v << 6 | d
            }
            let bytes = [UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)]
            guard pad == 0 || bytes[3 - pad] == 0 && (pad == 1 || bytes[1] == 0) else { return nil }
            out += bytes[0..<(3 - pad)]
        }
        return out
    }

    private static func value(_ c: UInt8) -> UInt32? {
        switch c {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): UInt32(c - UInt8(ascii: "A"))
        case UInt8(ascii: "a")...UInt8(ascii: "z"): UInt32(c - UInt8(ascii: "a")) + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(c - UInt8(ascii: "0")) + 52
        case UInt8(ascii: "+"): 62
        case UInt8(ascii: "/"): 63
        default: nil
        }
    }
}
