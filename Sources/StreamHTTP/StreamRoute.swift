import Wire

/// The URLs at which the viewer serves the cluster's streams to standard players (docs/VIEWER.md).
public enum StreamRoute: Equatable, Sendable {
    /// `/streams/<ID>.mjpg`: live video as multipart MJPEG.
    case mjpeg(ProducerID)
    /// `/streams/<ID>.jpg`: the latest complete frame.
    case snapshot(ProducerID)
    /// `/streams/<ID>.mp3`: live audio, Icecast style.
    case mp3(ProducerID)
    /// `/streams/<ID>.ogg`: live Opus audio (a stream published from a browser) in Ogg.
    case ogg(ProducerID)
    /// `/streams.m3u`: a playlist of every live stream.
    case playlist
    /// `/api/readers`: who reads what, as JSON.
    case readers

    /// The route of `path` (not percent-decoded; ids are plain hex), nil when it is none of these.
    public init?(path: String) {
        switch path {
        case "/streams.m3u", "/streams.m3u8": self = .playlist
        case "/api/readers": self = .readers
        default:
            guard path.hasPrefix("/streams/") else { return nil }
            let name = path.dropFirst("/streams/".count)
            guard let dot = name.lastIndex(of: "."), let id = Self.producer(name[..<dot]) else { return nil }
            switch name[name.index(after: dot)...].lowercased() {
            case "mjpg", "mjpeg": self = .mjpeg(id)
            case "jpg", "jpeg": self = .snapshot(id)
            case "mp3": self = .mp3(id)
            case "ogg", "opus": self = .ogg(id)
            default: return nil
            }
        }
    }

    /// Whether `path` asks for something under `/streams/` (an unknown one is answered 404 with a reason).
    public static func isStreamPath(_ path: String) -> Bool { path.hasPrefix("/streams/") }

    /// The stream a route reads, if it reads one.
    public var stream: StreamID? {
        switch self {
        case .mjpeg(let p), .snapshot(let p): StreamID(producer: p, kind: .video)
        case .mp3(let p): StreamID(producer: p, kind: .audio)
        case .ogg(let p): StreamID(producer: p, kind: .opus)
        case .playlist, .readers: nil
        }
    }

    /// The path of a producer's video, snapshot and audio (MP3, or Opus in Ogg).
    public static func paths(_ p: ProducerID) -> (mjpeg: String, snapshot: String, mp3: String, ogg: String) {
        ("/streams/\(p).mjpg", "/streams/\(p).jpg", "/streams/\(p).mp3", "/streams/\(p).ogg")
    }

    private static func producer(_ text: Substring) -> ProducerID? {
        guard text.count == 6, text.allSatisfy(\.isHexDigit) else { return nil }
        return ProducerID(hex: text.uppercased())
    }
}
