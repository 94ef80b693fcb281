/// A track of a recording: MJPEG video or MP3 audio, with what the track header must say about it.
public struct MatroskaTrack: Sendable, Equatable {
    public enum Media: Sendable, Equatable {
        case mjpeg(JPEGDimensions)
        case mp3(MP3StreamInfo)
    }

    /// 1-based, as SimpleBlocks refer to it (one byte in a block header, so at most 127).
    public var number: Int
    public var media: Media

    public init(number: Int, media: Media) {
        precondition((1...127).contains(number), "track number \(number)")
        self.number = number
        self.media = media
    }

    /// The TrackEntry element.
    var entry: [UInt8] {
        typealias E = MatroskaElement
        var children = [
            E.trackNumber.uint(UInt64(number)),
            E.trackUID.uint(UInt64(number)),
        ]
        switch media {
        case .mjpeg(let d):
            children += [
                E.trackType.uint(1), E.flagLacing.uint(0), E.codecID.string("V_MJPEG"),
                E.video.master([E.pixelWidth.uint(UInt64(d.width)), E.pixelHeight.uint(UInt64(d.height))]),
            ]
        case .mp3(let m):
            children += [
                E.trackType.uint(2), E.flagLacing.uint(0), E.codecID.string("A_MPEG/L3"),
                E.audio.master([E.samplingFrequency.float(Double(m.sampleRate)), E.channels.uint(UInt64(m.channels))]),
            ]
        }
        return E.trackEntry.master(children)
    }
}
