import Media

/// The sample rate and channel count of an MP3 stream, read from its first frame header (ISO 11172-3 §2.4.2.3,
/// with the MPEG-2 and 2.5 rates), for the audio track's SamplingFrequency and Channels.
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

    /// A Layer III header (the track is `A_MPEG/L3`), validated by Media's `MP3FrameHeader`.
    static func parse(_ b0: UInt8, _ b1: UInt8, _ b2: UInt8, _ b3: UInt8) -> MP3StreamInfo? {
        guard let h = try? MP3FrameHeader(b0, b1, b2, b3), h.layer == .three else { return nil }
        return MP3StreamInfo(sampleRate: h.sampleRate, channels: h.channelMode == 3 ? 1 : 2)
    }
}
