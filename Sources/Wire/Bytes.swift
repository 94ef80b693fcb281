/// Appends big-endian (network order) integers and raw bytes to a growing buffer. Encoding cannot fail.
public struct ByteWriter: Sendable {
    public private(set) var bytes: [UInt8]

    public init(capacity: Int = 64) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    public mutating func write(_ value: UInt8) { bytes.append(value) }
    public mutating func write(_ value: UInt16) {
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
        bytes.append(UInt8(truncatingIfNeeded: value))
    }
    public mutating func write(_ value: UInt32) {
        for shift in stride(from: 24, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }
    public mutating func write(_ value: UInt64) {
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }
    /// Writes the low 24 bits of `value`.
    public mutating func write24(_ value: UInt32) {
        bytes.append(UInt8(truncatingIfNeeded: value >> 16))
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
        bytes.append(UInt8(truncatingIfNeeded: value))
    }
    public mutating func write<C: Collection>(bytes other: C) where C.Element == UInt8 { bytes.append(contentsOf: other) }
    public mutating func zeros(_ count: Int) { bytes.append(contentsOf: repeatElement(0, count: count)) }
    /// Pads with zeros until the buffer is at least `length` bytes long.
    public mutating func pad(to length: Int) { if bytes.count < length { zeros(length - bytes.count) } }
}

/// Reads big-endian integers from peer bytes; every read checks the length first and never traps.
public struct ByteReader {
    public let bytes: ArraySlice<UInt8>
    public private(set) var index: Int

    public init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        index = bytes.startIndex
    }
    public init(_ bytes: [UInt8]) { self.init(bytes[...]) }

    public var remaining: Int { bytes.endIndex - index }

    private mutating func need(_ n: Int, _ field: WireField) throws(WireError) {
        if remaining < n { throw .truncated(field: field) }
    }
    public mutating func u8(_ field: WireField) throws(WireError) -> UInt8 {
        try need(1, field)
        defer { index += 1 }
        return bytes[index]
    }
    public mutating func u16(_ field: WireField) throws(WireError) -> UInt16 {
        try need(2, field)
        defer { index += 2 }
        return UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1])
    }
    public mutating func u24(_ field: WireField) throws(WireError) -> UInt32 {
        try need(3, field)
        defer { index += 3 }
        return UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
    }
    public mutating func u32(_ field: WireField) throws(WireError) -> UInt32 {
        try need(4, field)
        var v: UInt32 = 0
        for i in 0..<4 { v = v << 8 | UInt32(bytes[index + i]) }
        index += 4
        return v
    }
    public mutating func u64(_ field: WireField) throws(WireError) -> UInt64 {
        try need(8, field)
        var v: UInt64 = 0
        for i in 0..<8 { v = v << 8 | UInt64(bytes[index + i]) }
        index += 8
        return v
    }
    public mutating func skip(_ n: Int, _ field: WireField) throws(WireError) {
        try need(n, field)
        index += n
    }
    public mutating func take(_ n: Int, _ field: WireField) throws(WireError) -> ArraySlice<UInt8> {
        try need(n, field)
        defer { index += n }
        return bytes[index..<index + n]
    }
    public mutating func rest() -> ArraySlice<UInt8> {
        defer { index = bytes.endIndex }
        return bytes[index...]
    }
}
