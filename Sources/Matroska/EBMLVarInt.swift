/// EBML variable-size integers (RFC 8794 §4): a length marker in the leading bits, then the value big-endian.
public enum EBMLVarInt {
    /// The largest value a vint of `width` bytes can carry (all value bits set is reserved for "unknown").
    public static func maxValue(width: Int) -> UInt64 { (UInt64(1) << UInt64(7 * width)) - 2 }

    /// The fewest bytes that encode `value` as an element data size (1...8).
    public static func width(of value: UInt64) -> Int {
        var w = 1
        while w < 8 && value > maxValue(width: w) { w += 1 }
        return w
    }

    /// `value` in the shortest form, or in `width` bytes when given (sizes patched later keep their width).
    public static func encode(_ value: UInt64, width: Int? = nil) -> [UInt8] {
        let w = width ?? Self.width(of: value)
        precondition((1...8).contains(w) && value <= maxValue(width: w), "EBML vint \(value) does not fit \(w) bytes")
        var out = [UInt8](repeating: 0, count: w)
        var v = value
        for i in stride(from: w - 1, through: 0, by: -1) {
            out[i] = UInt8(truncatingIfNeeded: v)
            v >>= 8
        }
        out[0] |= UInt8(0x80 >> (w - 1))
        return out
    }

    /// The reserved "unknown size" of `width` bytes: every value bit set (RFC 8794 §6.2). A Segment or Cluster
    /// written with it stays readable when the writer never comes back to patch in the real size.
    public static func unknownSize(width: Int = 8) -> [UInt8] {
        precondition((1...8).contains(width))
        var out = [UInt8](repeating: 0xFF, count: width)
        out[0] = UInt8(0xFF >> (width - 1))  // the marker bit and every value bit
        return out
    }

    /// An element ID as it stands in a file: IDs carry their own marker bits, so only the leading zero bytes go.
    public static func idBytes(_ id: UInt32) -> [UInt8] {
        let all = [UInt8(id >> 24), UInt8(truncatingIfNeeded: id >> 16), UInt8(truncatingIfNeeded: id >> 8), UInt8(truncatingIfNeeded: id)]
        return Array(all.drop(while: { $0 == 0 }))
    }
}
