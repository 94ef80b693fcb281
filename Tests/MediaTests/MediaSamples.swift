import Media

/// Synthetic frames for the framer tests: real header bytes, payloads chosen to contain traps.
enum MediaSamples {
    /// MPEG 1 layer III, 128 kbit/s, 44.1 kHz, no padding: 417 bytes.
    static let mpeg1Layer3: [UInt8] = [0xFF, 0xFB, 0x90, 0x64]

    /// A whole MP3 frame with `header` and a payload of `fill` bytes.
    static func mp3Frame(_ header: [UInt8] = mpeg1Layer3, fill: UInt8 = 0x55) -> [UInt8] {
        let parsed = try! MP3FrameHeader(header[0], header[1], header[2], header[3])
        return header + [UInt8](repeating: fill, count: parsed.frameLength - 4)
    }

    /// An ID3v2.4 tag with `body` bytes and, if asked, a footer.
    static func id3v2(body: Int, footer: Bool = false) -> [UInt8] {
        let size: [UInt8] = [UInt8(body >> 21 & 0x7F), UInt8(body >> 14 & 0x7F), UInt8(body >> 7 & 0x7F), UInt8(body & 0x7F)]
        var tag: [UInt8] = [0x49, 0x44, 0x33, 4, 0, footer ? 0x10 : 0] + size
        // A body full of sync patterns: a framer that looked inside would find "frames".
        tag += (0..<body).map { $0 % 2 == 0 ? 0xFF : 0xFB }
        if footer { tag += [0x33, 0x44, 0x49, 4, 0, 0x10] + size }
        return tag
    }

    /// An ID3v1 trailer.
    static let id3v1: [UInt8] = [0x54, 0x41, 0x47] + [UInt8](repeating: 0x20, count: 125)

    /// A small baseline-shaped JPEG: APP1 holding `FFD9` and `FFD8`, a comment, SOS, entropy data with stuffing,
    /// a restart marker and fill bytes, then EOI. `id` varies the payload so frames can be told apart.
    static func jpeg(id: UInt8 = 1, entropy: Int = 40) -> [UInt8] {
        var bytes: [UInt8] = [0xFF, 0xD8]
        bytes += segment(0xE1, [0x45, 0x78, 0x69, 0x66, 0, 0, 0xFF, 0xD9, 0xFF, 0xD8, id])
        bytes += segment(0xFE, Array("frame".utf8) + [id])
        bytes += segment(0xDB, [UInt8](repeating: id, count: 65))
        bytes += segment(0xDA, [1, 1, 0, 0, 63, 0])
        for index in 0..<entropy { bytes.append(UInt8(truncatingIfNeeded: index) & 0x7F | 1) }
        bytes += [0xFF, 0x00, 0x12, 0xFF, 0xD3, 0x34, 0xFF, 0x00, id, 0xFF, 0xFF, 0xFF, 0xD9]
        return bytes
    }

    /// A marker segment: `FF`, the marker, a two-byte length counting itself, the payload.
    static func segment(_ marker: UInt8, _ payload: [UInt8]) -> [UInt8] {
        let length = payload.count + 2
        return [0xFF, marker, UInt8(length >> 8), UInt8(length & 0xFF)] + payload
    }
}
