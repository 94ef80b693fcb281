/// The CRC-32 of Ogg pages (RFC 3533 §6): polynomial 0x04C11DB7, most significant bit first, initial value 0, no
/// final XOR (unlike zlib's, which is reflected and inverted), over the whole page with its CRC field zeroed.
public enum OggCRC {
    static let table: [UInt32] = (0..<256).map { i in
        var r = UInt32(i) << 24
        for _ in 0..<8 { r = r & 0x8000_0000 != 0 ? (r << 1) ^ 0x04C1_1DB7 : r << 1 }
        return r
    }

    public static func checksum(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var crc: UInt32 = 0
        for b in bytes { crc = (crc << 8) ^ table[Int((crc >> 24) ^ UInt32(b))] }
        return crc
    }
}
