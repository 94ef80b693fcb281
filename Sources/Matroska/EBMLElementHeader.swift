/// The head of an element read from bytes: its ID, where its data starts, and its size (nil: unknown, RFC 8794
/// §6.2). Reading never goes past the bytes given; anything malformed gives nil.
struct EBMLElementHeader {
    let id: UInt32
    let dataStart: Int
    let size: Int?

    /// The end of the element's data, when its size is known.
    var end: Int? { size.map { dataStart + $0 } }

    static func read(_ b: [UInt8], at i: Int) -> EBMLElementHeader? {
        guard i >= 0, i < b.count, b[i] != 0 else { return nil }
        let idLength = b[i].leadingZeroBitCount + 1
        guard idLength <= 4, i + idLength < b.count else { return nil }
        let id = b[i..<i + idLength].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        let s = i + idLength
        guard b[s] != 0 else { return nil }
        let sizeLength = b[s].leadingZeroBitCount + 1
        guard s + sizeLength <= b.count else { return nil }
        let mask = UInt8(0xFF >> sizeLength)
        var size = UInt64(b[s] & mask)
        var allOnes = b[s] & mask == mask
        for k in 1..<sizeLength {
            size = size << 8 | UInt64(b[s + k])
            allOnes = allOnes && b[s + k] == 0xFF
        }
        // Sizes beyond 2^48 are no file this module reads; treat them as malformed rather than overflow.
        guard allOnes || size < 1 << 48 else { return nil }
        return EBMLElementHeader(id: id, dataStart: s + sizeLength, size: allOnes ? nil : Int(size))
    }

    /// The element's data as an unsigned integer (up to 8 bytes), when it lies within `b`.
    func unsigned(_ b: [UInt8]) -> UInt64? {
        guard let e = end, e <= b.count, e - dataStart <= 8 else { return nil }
        return b[dataStart..<e].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    }

    /// The element's data as a float (4 or 8 bytes).
    func float(_ b: [UInt8]) -> Double? {
        guard let e = end, e <= b.count, let bits = unsigned(b) else { return nil }
        if e - dataStart == 8 { return Double(bitPattern: bits) }
        if e - dataStart == 4 { return Double(Float(bitPattern: UInt32(bits))) }
        return nil
    }
}
