/// One element of the Matroska schema (RFC 9559 §5.1): its ID with the marker bits, and its type.
/// The table below is the only place IDs are written; everything else refers to these constants.
public struct MatroskaElement: Sendable, Equatable, CustomStringConvertible {
    public let name: String
    public let id: UInt32
    public let type: EBMLElementType

    public var description: String { name }
    public static func == (a: Self, b: Self) -> Bool { a.id == b.id }

    // EBML header (RFC 8794 §11.2).
    public static let ebml = Self(name: "EBML", id: 0x1A45_DFA3, type: .master)
    public static let ebmlVersion = Self(name: "EBMLVersion", id: 0x4286, type: .unsignedInteger)
    public static let ebmlReadVersion = Self(name: "EBMLReadVersion", id: 0x42F7, type: .unsignedInteger)
    public static let ebmlMaxIDLength = Self(name: "EBMLMaxIDLength", id: 0x42F2, type: .unsignedInteger)
    public static let ebmlMaxSizeLength = Self(name: "EBMLMaxSizeLength", id: 0x42F3, type: .unsignedInteger)
    public static let docType = Self(name: "DocType", id: 0x4282, type: .string)
    public static let docTypeVersion = Self(name: "DocTypeVersion", id: 0x4287, type: .unsignedInteger)
    public static let docTypeReadVersion = Self(name: "DocTypeReadVersion", id: 0x4285, type: .unsignedInteger)
    public static let void = Self(name: "Void", id: 0xEC, type: .binary)

    // Segment and its top-level children (RFC 9559 §5.1).
    public static let segment = Self(name: "Segment", id: 0x1853_8067, type: .master)
    public static let seekHead = Self(name: "SeekHead", id: 0x114D_9B74, type: .master)
    public static let seek = Self(name: "Seek", id: 0x4DBB, type: .master)
    public static let seekID = Self(name: "SeekID", id: 0x53AB, type: .binary)
    public static let seekPosition = Self(name: "SeekPosition", id: 0x53AC, type: .unsignedInteger)

    public static let info = Self(name: "Info", id: 0x1549_A966, type: .master)
    public static let timestampScale = Self(name: "TimestampScale", id: 0x2A_D7B1, type: .unsignedInteger)
    public static let duration = Self(name: "Duration", id: 0x4489, type: .float)
    public static let dateUTC = Self(name: "DateUTC", id: 0x4461, type: .date)
    public static let muxingApp = Self(name: "MuxingApp", id: 0x4D80, type: .utf8)
    public static let writingApp = Self(name: "WritingApp", id: 0x5741, type: .utf8)

    public static let tracks = Self(name: "Tracks", id: 0x1654_AE6B, type: .master)
    public static let trackEntry = Self(name: "TrackEntry", id: 0xAE, type: .master)
    public static let trackNumber = Self(name: "TrackNumber", id: 0xD7, type: .unsignedInteger)
    public static let trackUID = Self(name: "TrackUID", id: 0x73C5, type: .unsignedInteger)
    public static let trackType = Self(name: "TrackType", id: 0x83, type: .unsignedInteger)
    public static let flagLacing = Self(name: "FlagLacing", id: 0x9C, type: .unsignedInteger)
    public static let codecID = Self(name: "CodecID", id: 0x86, type: .string)
    public static let video = Self(name: "Video", id: 0xE0, type: .master)
    public static let pixelWidth = Self(name: "PixelWidth", id: 0xB0, type: .unsignedInteger)
    public static let pixelHeight = Self(name: "PixelHeight", id: 0xBA, type: .unsignedInteger)
    public static let audio = Self(name: "Audio", id: 0xE1, type: .master)
    public static let samplingFrequency = Self(name: "SamplingFrequency", id: 0xB5, type: .float)
    public static let channels = Self(name: "Channels", id: 0x9F, type: .unsignedInteger)

    public static let cluster = Self(name: "Cluster", id: 0x1F43_B675, type: .master)
    public static let timestamp = Self(name: "Timestamp", id: 0xE7, type: .unsignedInteger)
    public static let simpleBlock = Self(name: "SimpleBlock", id: 0xA3, type: .binary)

    public static let cues = Self(name: "Cues", id: 0x1C53_BB6B, type: .master)
    public static let cuePoint = Self(name: "CuePoint", id: 0xBB, type: .master)
    public static let cueTime = Self(name: "CueTime", id: 0xB3, type: .unsignedInteger)
    public static let cueTrackPositions = Self(name: "CueTrackPositions", id: 0xB7, type: .master)
    public static let cueTrack = Self(name: "CueTrack", id: 0xF7, type: .unsignedInteger)
    public static let cueClusterPosition = Self(name: "CueClusterPosition", id: 0xF1, type: .unsignedInteger)

    /// Every element this writer knows, for tests that check the table against the specification.
    public static let all: [Self] = [
        ebml, ebmlVersion, ebmlReadVersion, ebmlMaxIDLength, ebmlMaxSizeLength, docType, docTypeVersion, docTypeReadVersion, void,
        segment, seekHead, seek, seekID, seekPosition, info, timestampScale, duration, dateUTC, muxingApp, writingApp,
        tracks, trackEntry, trackNumber, trackUID, trackType, flagLacing, codecID, video, pixelWidth, pixelHeight, audio,
        samplingFrequency, channels, cluster, timestamp, simpleBlock, cues, cuePoint, cueTime, cueTrackPositions, cueTrack,
        cueClusterPosition,
    ]
}
