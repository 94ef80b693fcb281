/// Encoding an element: its ID, its data size as a vint, its data (RFC 8794 §6-7).
extension MatroskaElement {
    /// The element around `data` already encoded.
    public func encode(data: [UInt8], sizeWidth: Int? = nil) -> [UInt8] {
        EBMLVarInt.idBytes(id) + EBMLVarInt.encode(UInt64(data.count), width: sizeWidth) + data
    }

    /// A master element around its children.
    public func master(_ children: [[UInt8]]) -> [UInt8] {
        precondition(type == .master, "\(name) is not a master element")
        return encode(data: children.flatMap { $0 })
    }

    /// The start of a master element whose size is not known yet (an 8-byte "unknown" size, patchable later).
    public func openUnknownSize() -> [UInt8] {
        precondition(type == .master, "\(name) is not a master element")
        return EBMLVarInt.idBytes(id) + EBMLVarInt.unknownSize(width: 8)
    }

    /// An unsigned integer in the fewest bytes (at least one), or in `width` bytes when it is patched later.
    public func uint(_ value: UInt64, width: Int? = nil) -> [UInt8] {
        precondition(type == .unsignedInteger, "\(name) is not an unsigned integer")
        var w = width ?? 1
        if width == nil { while w < 8 && value >> UInt64(8 * w) != 0 { w += 1 } }
        return encode(data: (0..<w).map { UInt8(truncatingIfNeeded: value >> UInt64(8 * (w - 1 - $0))) })
    }

    /// A float as 8 bytes (IEEE 754 binary64, big-endian).
    public func float(_ value: Double) -> [UInt8] {
        precondition(type == .float, "\(name) is not a float")
        let bits = value.bitPattern
        return encode(data: (0..<8).map { UInt8(truncatingIfNeeded: bits >> UInt64(8 * (7 - $0))) })
    }

    /// A string (ASCII for `.string`, UTF-8 for `.utf8`) without a terminating zero.
    public func string(_ value: String) -> [UInt8] {
        precondition(type == .string || type == .utf8, "\(name) is not a string")
        return encode(data: Array(value.utf8))
    }

    /// A date: nanoseconds since 2001-01-01T00:00:00 UTC, signed, 8 bytes (RFC 8794 §7.6).
    public func encode(date nanos: Int64) -> [UInt8] {
        precondition(type == .date, "\(name) is not a date")
        let bits = UInt64(bitPattern: nanos)
        return encode(data: (0..<8).map { UInt8(truncatingIfNeeded: bits >> UInt64(8 * (7 - $0))) })
    }

    /// A Void element filling exactly `total` bytes (at least 2), to reserve room for what is written later.
    public static func voidFilling(_ total: Int) -> [UInt8] {
        precondition(total >= 2 && total <= 0x7F + 1 + 8, "a Void of \(total) bytes")
        // One size byte covers up to 126 data bytes; 9 bytes beyond that use a two-byte size.
        if total - 2 <= 126 { return void.encode(data: [UInt8](repeating: 0, count: total - 2)) }
        return void.encode(data: [UInt8](repeating: 0, count: total - 3), sizeWidth: 2)
    }
}
