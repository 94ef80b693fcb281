import HTTP
import Media

/// Cuts the bytes of one live source into the frames a producer sends: whole JPEGs, or chunks of whole MP3 frames
/// (`AudioChunker`). A multipart body (MJPEG over HTTP) is split into parts first and each part's body framed, so
/// a part that is not a whole JPEG is dropped. Pure: bytes and their arrival time (wall µs) in, frames out.
public struct LiveFramer: Sendable {
    /// What the source carries.
    public enum Media: Sendable, Equatable {
        case jpeg
        case mp3
    }

    /// One frame to send: its bytes and its capture time (the arrival of its first byte's frame, wall µs).
    public struct Frame: Sendable, Equatable {
        public let bytes: [UInt8]
        public let captureTime: UInt64
    }

    /// What was dropped so far, for the log.
    public struct Drops: Sendable, Equatable {
        public var garbageBytes = 0
        public var brokenFrames = 0
        public var oversizeFrames = 0
        public var droppedParts = 0

        public init(garbageBytes: Int = 0, brokenFrames: Int = 0, oversizeFrames: Int = 0, droppedParts: Int = 0) {
            self.garbageBytes = garbageBytes
            self.brokenFrames = brokenFrames
            self.oversizeFrames = oversizeFrames
            self.droppedParts = droppedParts
        }

        public var isEmpty: Bool { self == Drops() }
    }

    public let media: Media
    private var jpeg: JPEGFramer
    private var mp3 = MP3StreamFramer()
    private var chunker: AudioChunker
    private var multipart: MultipartParser?

    /// A framer for `media`; `boundary` when the bytes are a multipart body; frames above `maxFrameBytes` dropped.
    public init(media: Media, boundary: String? = nil, maxFrameBytes: Int) {
        self.media = media
        jpeg = JPEGFramer(maxFrameBytes: maxFrameBytes)
        chunker = AudioChunker(maxBytes: maxFrameBytes)
        multipart = boundary.map { MultipartParser(boundary: $0, maxPartBytes: maxFrameBytes) }
    }

    /// Frames completed by `bytes`, which arrived at `arrival`.
    public mutating func receive(_ bytes: ArraySlice<UInt8>, arrival: UInt64) -> [Frame] {
        guard multipart != nil else { return frames(bytes, arrival: arrival) }
        multipart!.receive(bytes)
        var out: [Frame] = []
        while let part = multipart!.nextPart() { out += frames(part.body[...], arrival: arrival) }
        return out
    }

    /// The source ended: the audio gathered so far as a last chunk; a JPEG cut off is counted as broken.
    public mutating func finish() -> [Frame] {
        switch media {
        case .jpeg:
            jpeg.finish()
            return []
        case .mp3:
            _ = mp3.finish()
            return chunker.flush().map { [Frame(bytes: $0.bytes, captureTime: $0.captureTime)] } ?? []
        }
    }

    /// Everything dropped since the framer was made.
    public var drops: Drops {
        var d = Drops(droppedParts: multipart?.droppedParts ?? 0)
        switch media {
        case .jpeg:
            d.garbageBytes = jpeg.droppedBytes
            d.brokenFrames = jpeg.brokenFrames
            d.oversizeFrames = jpeg.oversizeFrames
        case .mp3:
            d.garbageBytes = mp3.garbageBytes + mp3.overflowBytes
        }
        return d
    }

    private mutating func frames(_ bytes: ArraySlice<UInt8>, arrival: UInt64) -> [Frame] {
        var out: [Frame] = []
        switch media {
        case .jpeg:
            jpeg.receive(bytes)
            while let frame = jpeg.nextFrame() { out.append(Frame(bytes: frame, captureTime: arrival)) }
        case .mp3:
            mp3.receive(bytes)
            while let frame = mp3.nextFrame() {
                guard let header = try? MP3FrameHeader(frame[...], at: 0) else { continue }
                if let chunk = chunker.add(frame: frame, durationMicros: header.durationMicros, arrival: arrival) {
                    out.append(Frame(bytes: chunk.bytes, captureTime: chunk.captureTime))
                }
            }
        }
        return out
    }
}
