/// Reads the Duration of a finished recording from its first bytes (EBML header, Segment, SeekHead, Info), for
/// listings. Walks elements by their sizes within the given bytes only; any surprise gives nil, never a trap.
public enum MatroskaDurationReader {
    /// How many bytes of a file's start to hand in: the header this module writes is far smaller.
    public static let headerBytes = 4096

    /// The Duration in milliseconds (TimestampScale 1 ms, as written here), or nil when absent or unreadable.
    public static func durationMillis(_ b: [UInt8]) -> Double? {
        var i = 0
        guard let ebml = element(b, at: i), ebml.id == MatroskaElement.ebml.id, let afterEBML = ebml.end else { return nil }
        i = afterEBML
        guard let segment = element(b, at: i), segment.id == MatroskaElement.segment.id else { return nil }
        i = segment.dataStart
        while let e = element(b, at: i), let end = e.end {
            if e.id == MatroskaElement.info.id {
                var j = e.dataStart
                while j < end, let c = element(b, at: j), let cEnd = c.end, cEnd <= end {
                    if c.id == MatroskaElement.duration.id && cEnd - c.dataStart == 8 {
                        let bits = b[c.dataStart..<cEnd].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
                        return Double(bitPattern: bits)
                    }
                    j = cEnd
                }
                return nil
            }
            i = end
        }
        return nil
    }

    /// An element's ID, where its data starts, and where it ends (nil for an unknown size or past `b`).
    static func element(_ b: [UInt8], at i: Int) -> (id: UInt32, dataStart: Int, end: Int?)? {
        guard i < b.count, b[i] != 0 else { return nil }
        let idLength = b[i].leadingZeroBitCount + 1
        guard idLength <= 4, i + idLength < b.count else { return nil }
        let id = b[i..<i + idLength].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        let s = i + idLength
        guard b[s] != 0 else { return nil }
        let sizeLength = b[s].leadingZeroBitCount + 1
        guard s + sizeLength <= b.count else { return nil }
        var size = UInt64(b[s] & (0xFF >> sizeLength))
        var allOnes = size == UInt64(0xFF >> sizeLength)
        for k in 1..<sizeLength {
            size = size << 8 | UInt64(b[s + k])
            allOnes = allOnes && b[s + k] == 0xFF
        }
        let dataStart = s + sizeLength
        if allOnes || size > UInt64(b.count - dataStart) { return (id, dataStart, nil) }
        return (id, dataStart, dataStart + Int(size))
    }
}
