/// Ogg Opus (RFC 7845) for a live stream, as pure functions of bytes: `headers()` once (the OpusHead page, then
/// the OpusTags page), then `pages(_:)` for each run of packets (an Opus chunk's, in order). Each reader of a live
/// stream gets a muxer of its own, so its granule positions start at 0 with its first packet.
///
/// Pages: a page ends once no further packet's lacing fits in its 255 segments, so a page holds up to ~64 KB;
/// a packet that does not fit is continued on the next page (header flag 0x01). A page's granule position is the
/// number of 48 kHz samples of every packet that ended on it or before (§4), or -1 when none ended on it.
public struct OggOpusMuxer: Sendable {
    /// libopus's encoder delay at 48 kHz (6.5 ms), what Chromium's encoder writes in its own OpusHead.
    public static let defaultPreSkip: UInt16 = 312

    public let serial: UInt32
    public let channels: UInt8
    public let preSkip: UInt16
    public let inputSampleRate: UInt32
    public let vendor: String
    /// The next page's sequence number.
    public private(set) var sequence: UInt32 = 0
    /// Samples (48 kHz) of the packets written so far.
    public private(set) var granule: Int64 = 0
    /// Packets left out because their TOC is not valid Opus framing (no duration could be given to them).
    public private(set) var skippedPackets = 0

    public init(
        serial: UInt32, channels: UInt8, preSkip: UInt16 = OggOpusMuxer.defaultPreSkip, inputSampleRate: UInt32 = 48_000, vendor: String = "vbroker"
    ) {
        precondition(channels == 1 || channels == 2, "mapping family 0 carries mono or stereo")
        self.serial = serial
        self.channels = channels
        self.preSkip = preSkip
        self.inputSampleRate = inputSampleRate
        self.vendor = vendor
    }

    /// The identification header (§5.1), 19 bytes: mapping family 0, output gain 0.
    public var opusHead: [UInt8] {
        var h = Array("OpusHead".utf8) + [1, channels]
        OggPage.appendLE(&h, UInt64(preSkip), bytes: 2)
        OggPage.appendLE(&h, UInt64(inputSampleRate), bytes: 4)
        h += [0, 0, 0]
        return h
    }

    /// The comment header (§5.2): the vendor string and no comments.
    public var opusTags: [UInt8] {
        var t = Array("OpusTags".utf8)
        OggPage.appendLE(&t, UInt64(vendor.utf8.count), bytes: 4)
        t += Array(vendor.utf8)
        OggPage.appendLE(&t, 0, bytes: 4)
        return t
    }

    /// The two header pages: OpusHead alone on the first (beginning of stream), OpusTags on the second, both at
    /// granule position 0 (§3).
    public mutating func headers() -> [UInt8] {
        precondition(sequence == 0, "headers are the first pages")
        return page(flags: OggPage.beginningOfStream, granule: 0, packet: opusHead) + page(flags: 0, granule: 0, packet: opusTags)
    }

    /// The pages carrying `packets`; with `last`, the final page is marked end of stream.
    public mutating func pages(_ packets: [[UInt8]], last: Bool = false) -> [UInt8] {
        var out: [UInt8] = []
        var segments: [UInt8] = []
        var data: [UInt8] = []
        var ended = false
        var flags: UInt8 = 0
        let valid = packets.filter { !$0.isEmpty && $0.count <= OpusPacket.maxBytes && OpusPacket.sampleCount($0) != nil }
        skippedPackets += packets.count - valid.count
        for (i, p) in valid.enumerated() {
            var lacing = OggPage.lacing(length: p.count)[...]
            var body = p[...]
            while !lacing.isEmpty {
                let room = OggPage.maxSegments - segments.count
                let take = min(room, lacing.count)
                let bytes = lacing.prefix(take).reduce(0) { $0 + Int($1) }
                segments += lacing.prefix(take)
                data += body.prefix(bytes)
                lacing = lacing.dropFirst(take)
                body = body.dropFirst(bytes)
                if lacing.isEmpty {
                    granule += Int64(OpusPacket.sampleCount(p)!)
                    ended = true
                }
                let isLast = lacing.isEmpty && i == valid.count - 1
                if segments.count == OggPage.maxSegments || isLast {
                    let eos = isLast && last ? OggPage.endOfStream : 0
                    out += emit(flags: flags | eos, granule: ended ? granule : OggPage.noGranule, segments: segments, data: data)
                    flags = lacing.isEmpty ? 0 : OggPage.continued
                    segments = []
                    data = []
                    ended = false
                }
            }
        }
        return out
    }

    private mutating func page(flags: UInt8, granule: Int64, packet: [UInt8]) -> [UInt8] {
        emit(flags: flags, granule: granule, segments: OggPage.lacing(length: packet.count), data: packet)
    }

    private mutating func emit(flags: UInt8, granule: Int64, segments: [UInt8], data: [UInt8]) -> [UInt8] {
        defer { sequence &+= 1 }
        return OggPage.encode(flags: flags, granule: granule, serial: serial, sequence: sequence, segments: segments, data: data[...])
    }
}
