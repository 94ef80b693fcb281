import Wire

/// An extended M3U playlist of the live streams, so VLC and other players open the cluster as a channel list.
public enum M3UPlaylist {
    public struct Entry: Sendable, Equatable {
        public var producer: ProducerID
        public var hasVideo: Bool
        public var hasAudio: Bool
        /// Opus audio (a browser's), served as Ogg.
        public var hasOpus = false
        /// Frames per second of the video (or chunks per second of the audio), as the broker measured it.
        public var rate: Double
        public init(producer: ProducerID, hasVideo: Bool, hasAudio: Bool, rate: Double) {
            self.producer = producer
            self.hasVideo = hasVideo
            self.hasAudio = hasAudio
            self.rate = rate
        }
    }

    /// The playlist text; `base` is the viewer's origin (`http://host:port`). Video and audio are listed apart:
    /// a player opens one URL per channel.
    public static func render(_ entries: [Entry], base: String) -> String {
        var out = "#EXTM3U\n"
        for e in entries.sorted(by: { $0.producer < $1.producer }) {
            let paths = StreamRoute.paths(e.producer)
            if e.hasVideo {
                out += "#EXTINF:-1,\(e.producer) video \(Self.rate(e.rate)) fps\n\(base)\(paths.mjpeg)\n"
            }
            if e.hasAudio {
                out += "#EXTINF:-1,\(e.producer) audio\n\(base)\(paths.mp3)\n"
            }
            if e.hasOpus {
                out += "#EXTINF:-1,\(e.producer) audio (Opus)\n\(base)\(paths.ogg)\n"
            }
        }
        return out
    }

    private static func rate(_ r: Double) -> String {
        let tenths = Int((r * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }
}
