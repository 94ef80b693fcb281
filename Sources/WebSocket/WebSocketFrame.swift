/// One frame as the server writes it (RFC 6455 §5.2): never masked, since only a client masks (§5.1).
public enum WebSocketFrame {
    /// The bytes of a whole, unfragmented frame carrying `payload`.
    public static func encode(_ opcode: WebSocketOpcode, _ payload: some Collection<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(payload.count + 10)
        appendHead(opcode, length: payload.count, to: &out)
        out.append(contentsOf: payload)
        return out
    }

    /// A text frame.
    public static func text(_ s: String) -> [UInt8] { encode(.text, Array(s.utf8)) }

    /// A close frame with a status code and a reason cut to fit the 125-byte control payload.
    public static func close(code: UInt16, reason: String = "") -> [UInt8] {
        encode(.close, [UInt8(code >> 8), UInt8(code & 0xFF)] + Array(reason.utf8.prefix(123)))
    }

    /// FIN set, no reserved bits, the shortest length encoding (§5.2 requires it).
    public static func appendHead(_ opcode: WebSocketOpcode, length: Int, to out: inout [UInt8]) {
        precondition(length >= 0 && (!opcode.isControl || length <= 125), "control frame payload over 125 bytes")
        out.append(0x80 | opcode.rawValue)
        if length < 126 {
            out.append(UInt8(length))
        } else if length <= 0xFFFF {
            out += [126, UInt8(length >> 8), UInt8(length & 0xFF)]
        } else {
            out.append(127)
            for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: UInt64(length) >> UInt64(shift))) }
        }
    }
}
