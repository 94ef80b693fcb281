/// A minimal Ogg page reader for the tests: splits a file into pages and joins their segments into packets, so
/// ffmpeg's own Ogg Opus output gives real Opus packets and real pages to compare with.
struct OggReader {
    struct Page {
        var flags: UInt8
        var granule: Int64
        var serial: UInt32
        var sequence: UInt32
        var crc: UInt32
        var segments: [UInt8]
        var data: [UInt8]
        var bytes: [UInt8]
    }

    static func le(_ b: ArraySlice<UInt8>) -> UInt64 {
        b.reversed().reduce(0) { $0 << 8 | UInt64($1) }
    }

    static func pages(_ bytes: [UInt8]) -> [Page] {
        var out: [Page] = []
        var at = 0
        while at + 27 <= bytes.count, bytes[at..<at + 4].elementsEqual("OggS".utf8) {
            let n = Int(bytes[at + 26])
            let segments = Array(bytes[at + 27..<at + 27 + n])
            let length = segments.reduce(0) { $0 + Int($1) }
            let end = at + 27 + n + length
            out.append(
                Page(
                    flags: bytes[at + 5], granule: Int64(bitPattern: le(bytes[at + 6..<at + 14])), serial: UInt32(le(bytes[at + 14..<at + 18])),
                    sequence: UInt32(le(bytes[at + 18..<at + 22])), crc: UInt32(le(bytes[at + 22..<at + 26])), segments: segments,
                    data: Array(bytes[at + 27 + n..<end]), bytes: Array(bytes[at..<end])))
            at = end
        }
        return out
    }

    static func packets(_ pages: [Page]) -> [[UInt8]] {
        var out: [[UInt8]] = []
        var current: [UInt8] = []
        for p in pages {
            var at = 0
            for s in p.segments {
                current += p.data[at..<at + Int(s)]
                at += Int(s)
                if s < 255 {
                    out.append(current)
                    current = []
                }
            }
        }
        return out
    }
}
