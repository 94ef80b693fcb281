/// One validated MPEG audio frame header (MPEG 1, 2 and 2.5; layers I, II and III), read from its four bytes.
///
/// Free-format bitrates (index 0) are refused: their frame length is not in the header, so a framer could only
/// guess it, and no encoder we meet writes them. Reserved version, layer, bitrate, sample-rate and emphasis
/// values are refused too, which is what makes a false sync in garbage unlikely.
public struct MP3FrameHeader: Sendable, Equatable {
    /// The MPEG version (the sample-rate family).
    public enum Version: Sendable, Equatable { case mpeg1, mpeg2, mpeg25 }
    /// The layer (the coding scheme, which fixes the samples per frame).
    public enum Layer: Sendable, Equatable { case one, two, three }

    /// Bytes in a frame header.
    public static let size = 4
    /// Longest frame any valid header describes: MPEG 2.5 layer II at 160 kbit/s and 8 kHz, padded.
    public static let maxFrameLength = 2881

    public let version: Version
    public let layer: Layer
    /// Bits per second.
    public let bitrate: Int
    /// Samples per second per channel.
    public let sampleRate: Int
    /// Whether the frame carries one padding slot (a byte, or four for layer I).
    public let padded: Bool
    /// Whether a 16-bit CRC follows the header.
    public let hasCRC: Bool
    /// The channel mode: 0 stereo, 1 joint stereo, 2 dual channel, 3 mono.
    public let channelMode: Int

    /// Reads the header from `b0`...`b3` (the bytes in stream order).
    public init(_ b0: UInt8, _ b1: UInt8, _ b2: UInt8, _ b3: UInt8) throws(MP3HeaderError) {
        guard b0 == 0xFF, b1 & 0xE0 == 0xE0 else { throw .noSync }
        guard let version = Self.version(bits: (b1 >> 3) & 3) else { throw .reservedVersion }
        guard let layer = Self.layer(bits: (b1 >> 1) & 3) else { throw .reservedLayer }
        let bitrateIndex = Int(b2 >> 4)
        guard bitrateIndex != 0 else { throw .freeFormat }
        guard bitrateIndex != 15 else { throw .reservedBitrate }
        let rateIndex = Int((b2 >> 2) & 3)
        guard rateIndex != 3 else { throw .reservedSampleRate }
        guard b3 & 3 != 2 else { throw .reservedEmphasis }
        self.version = version
        self.layer = layer
        self.bitrate = Self.kilobits(version: version, layer: layer)[bitrateIndex] * 1000
        self.sampleRate = Self.sampleRates(version)[rateIndex]
        self.padded = b2 & 2 != 0
        self.hasCRC = b1 & 1 == 0
        self.channelMode = Int(b3 >> 6)
    }

    /// Reads the header at `offset` of `bytes`; throws `.truncated` when fewer than four bytes are there.
    public init(_ bytes: ArraySlice<UInt8>, at offset: Int) throws(MP3HeaderError) {
        guard offset >= bytes.startIndex, bytes.endIndex - offset >= Self.size else { throw .truncated }
        try self.init(bytes[offset], bytes[offset + 1], bytes[offset + 2], bytes[offset + 3])
    }

    /// PCM samples per channel the frame decodes to.
    public var samplesPerFrame: Int {
        switch layer {
        case .one: 384
        case .two: 1152
        case .three: version == .mpeg1 ? 1152 : 576
        }
    }

    /// Bytes in the whole frame, header included.
    public var frameLength: Int {
        if layer == .one { return (12 * bitrate / sampleRate + (padded ? 1 : 0)) * 4 }
        return samplesPerFrame / 8 * bitrate / sampleRate + (padded ? 1 : 0)
    }

    /// Playing time of the frame in microseconds, rounded down.
    public var durationMicros: Int { samplesPerFrame * 1_000_000 / sampleRate }

    /// Whether `other` can belong to the same stream (same version, layer and sample rate): a framer demands it of
    /// the header that follows a candidate frame, so a false sync in garbage is not taken for a frame.
    public func isConsistent(with other: MP3FrameHeader) -> Bool {
        version == other.version && layer == other.layer && sampleRate == other.sampleRate
    }

    private static func version(bits: UInt8) -> Version? {
        switch bits {
        case 0: .mpeg25
        case 2: .mpeg2
        case 3: .mpeg1
        default: nil
        }
    }

    private static func layer(bits: UInt8) -> Layer? {
        switch bits {
        case 1: .three
        case 2: .two
        case 3: .one
        default: nil
        }
    }

    private static func sampleRates(_ version: Version) -> [Int] {
        switch version {
        case .mpeg1: [44_100, 48_000, 32_000]
        case .mpeg2: [22_050, 24_000, 16_000]
        case .mpeg25: [11_025, 12_000, 8_000]
        }
    }

    /// ISO/IEC 11172-3 and 13818-3 bitrate tables in kbit/s, indexed 0...14 (0 is free format).
    private static func kilobits(version: Version, layer: Layer) -> [Int] {
        switch (version, layer) {
        case (.mpeg1, .one): [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448]
        case (.mpeg1, .two): [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384]
        case (.mpeg1, .three): [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320]
        case (_, .one): [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256]
        case (_, _): [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160]
        }
    }
}
