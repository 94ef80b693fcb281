/// One Ogg page (RFC 3533 §6) as bytes: the 27-byte header, the segment table (lacing values), the data.
public enum OggPage {
    /// Header type flags.
    public static let continued: UInt8 = 0x01
    public static let beginningOfStream: UInt8 = 0x02
    public static let endOfStream: UInt8 = 0x04
    /// Lacing values on one page at most (the segment count is one byte).
    public static let maxSegments = 255
    /// Bytes before the segment table.
    public static let headerBytes = 27
    /// The granule position of a page on which no packet ends.
    public static let noGranule: Int64 = -1

    /// A page carrying `data`, laced by `segments` (each 0…255, summing to `data.count`), with its CRC.
    public static func encode(
        flags: UInt8, granule: Int64, serial: UInt32, sequence: UInt32, segments: [UInt8], data: ArraySlice<UInt8>
    ) -> [UInt8] {
        precondition(segments.count <= maxSegments && segments.reduce(0) { $0 + Int($1) } == data.count)
        var page: [UInt8] = Array("OggS".utf8) + [0, flags]
        page.reserveCapacity(headerBytes + segments.count + data.count)
        appendLE(&page, UInt64(bitPattern: granule), bytes: 8)
        appendLE(&page, UInt64(serial), bytes: 4)
        appendLE(&page, UInt64(sequence), bytes: 4)
        appendLE(&page, 0, bytes: 4)  // the CRC, computed over the page with these four bytes zero
        page.append(UInt8(segments.count))
        page.append(contentsOf: segments)
        page.append(contentsOf: data)
        let crc = OggCRC.checksum(page)
        for i in 0..<4 { page[22 + i] = UInt8(truncatingIfNeeded: crc >> (8 * UInt32(i))) }
        return page
    }

    /// The lacing values of a packet of `length` bytes: 255 for each whole 255 bytes, then the rest (0 when the
    /// length is a multiple of 255, which marks the packet's end).
    public static func lacing(length: Int) -> [UInt8] {
        Array(repeating: 255, count: length / 255) + [UInt8(length % 255)]
    }

    static func appendLE(_ out: inout [UInt8], _ value: UInt64, bytes: Int) {
        for i in 0..<bytes { out.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(i)))) }
    }
}
