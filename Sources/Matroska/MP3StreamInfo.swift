/// The sample rate and channel count of an MP3 stream, read from its first frame header (ISO 11172-3 §2.4.2.3,
/// with the MPEG-2 and 2.5 rates), for the audio track's SamplingFrequency and Channels. Deliberately minimal:
/// the recorder needs these two figures only.
public struct MP3StreamInfo: Sendable, Equatable {
    public var sampleRate: Int
    public var channels: Int

    public init(sampleRate: Int, channels: Int) {
        self.sampleRate = sampleRate
        self.channels = channels
    }

    /// How far into a chunk a header is looked for (an ID3 tag or junk before the first frame).
    public static let searchLimit = 16 * 1024

    /// The first valid Layer III header within `searchLimit` bytes; nil when there is none.
    public init?(mp3 bytes: [UInt8]) {
        var i = 0
        while i + 4 <= min(bytes.count, Self.searchLimit) {
            if let info = Self.parse(bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]) {
                self = info
                return
            }
            i += 1
        }
        return nil
    }

    static func parse(_ b0: UInt8, _ b1: UInt8, _ b2: UInt8, _ b3: UInt8) -> MP3StreamInfo? {
        guard b0 == 0xFF, b1 & 0xE0 == 0xE0 else { return nil }  // 11 sync bits
        let version = (b1 >> 3) & 3  // 0: MPEG-2.5, 1: reserved, 2: MPEG-2, 3: MPEG-1
        let layer = (b1 >> 1) & 3  // 1: Layer III
        let bitrate = b2 >> 4
        let rateIndex = Int((b2 >> 2) & 3)
        guard version != 1, layer == 1, bitrate != 0xF, rateIndex != 3 else { return nil }
        let base = [44100, 48000, 32000][rateIndex]
        let rate = version == 3 ? base : version == 2 ? base / 2 : base / 4
        return MP3StreamInfo(sampleRate: rate, channels: b3 >> 6 == 3 ? 1 : 2)
    }
}
