import Matroska
import Wire

/// One producer's recording as a sequence of segments (files), without any I/O: frames of its video and audio
/// streams go in with their capture times, `RecordingAction`s come out.
///
/// A segment's header needs each track's parameters (the first JPEG's size, the first MP3 header's rate), so frames
/// are held until both media were seen and `reorderMicros` of capture time passed, or `trackWaitMicros` passed
/// without the other medium; then the file starts at the earliest held capture time and the held frames go in in
/// capture order. A new segment begins when `segmentMicros` of capture time passed, when a medium the file has no
/// track for appears, and when the producer's clock goes back (a restart).
public struct ProducerRecording: Sendable {
    public let producer: ProducerID
    public let segmentMicros: UInt64
    public let limits: RecordingLimits
    let app: String

    var writer: MatroskaSegmentWriter?
    var pending: [(kind: StreamKind, bytes: [UInt8], capture: UInt64)] = []
    var pendingBytes = 0
    /// Each stream's latest capture time and the interval before it: a frame is taken to last that long.
    var lastCapture: [StreamKind: UInt64] = [:]
    var interval: [StreamKind: UInt64] = [:]
    var video: JPEGDimensions?
    var audio: MP3StreamInfo?
    /// Frames of each stream written into a file (held ones count once written).
    public private(set) var recorded: [StreamKind: Int] = [:]
    /// Frames dropped here, by stream: late beyond a segment's start, or the first frames of a medium that cannot
    /// be read (no SOF in the JPEG, no MP3 header) so there is no track for them.
    public private(set) var dropped: [StreamKind: Int] = [:]

    public init(producer: ProducerID, segmentMicros: UInt64, limits: RecordingLimits = RecordingLimits(), app: String = "vbroker client") {
        self.producer = producer
        self.segmentMicros = segmentMicros
        self.limits = limits
        self.app = app
    }

    /// True while a file is open.
    public var isOpen: Bool { writer != nil }

    /// Adds one frame of `kind`.
    public mutating func add(_ kind: StreamKind, _ bytes: [UInt8], captureMicros: UInt64) -> [RecordingAction] {
        learn(kind, bytes)
        noteInterval(kind, captureMicros)
        guard let w = writer else { return hold(kind, bytes, captureMicros) }
        let hasTrack = w.tracks.contains { $0.number == Int(kind.rawValue) }
        let backwards = captureMicros + limits.lateMicros < w.startMicros
        // The first track (video when there is one) is the segment's timeline: its frame whose middle would fall
        // past the segment's end begins the next segment, so a segment lasts its length within half a frame either
        // way; frames of the other track go by capture time alone (an MP3 chunk of a second may reach past the
        // end, and is never cut).
        let end = w.startMicros + segmentMicros
        let timeline = w.tracks[0].number == Int(kind.rawValue) && captureMicros + interval[kind, default: 0] / 2 > end
        if captureMicros >= end || timeline || (!hasTrack && known(kind)) || backwards {
            return finish() + hold(kind, bytes, captureMicros)
        }
        guard hasTrack else {
            dropped[kind, default: 0] += 1
            return []
        }
        return append(kind, bytes, captureMicros)
    }

    /// Finishes the open file (cues, duration, sizes) and writes out frames still held for a segment not started.
    public mutating func close() -> [RecordingAction] {
        var out: [RecordingAction] = []
        if writer == nil && !pending.isEmpty { out += start() }
        return out + finish()
    }

    /// Forgets the open file without finishing it (the file layer could not write it, e.g. a full disk): it stays
    /// valid as it is, with unknown sizes; the next frame starts a new segment. Returns the held frames discarded
    /// with it, by stream, for the caller to count.
    @discardableResult
    public mutating func abandon() -> [StreamKind: Int] {
        var discarded: [StreamKind: Int] = [:]
        for f in pending { discarded[f.kind, default: 0] += 1 }
        writer = nil
        pending = []
        pendingBytes = 0
        return discarded
    }

    /// Frame intervals beyond this are gaps (a producer offline), not how long a frame lasts.
    static let longestFrameMicros: UInt64 = 2_000_000

    mutating func noteInterval(_ kind: StreamKind, _ capture: UInt64) {
        if let last = lastCapture[kind], capture > last, capture - last <= Self.longestFrameMicros { interval[kind] = capture - last }
        lastCapture[kind] = capture
    }

    func known(_ kind: StreamKind) -> Bool { kind == .video ? video != nil : audio != nil }

    mutating func learn(_ kind: StreamKind, _ bytes: [UInt8]) {
        if kind == .video && video == nil { video = JPEGDimensions(jpeg: bytes) }
        if kind == .audio && audio == nil { audio = MP3StreamInfo(mp3: bytes) }
    }

    mutating func hold(_ kind: StreamKind, _ bytes: [UInt8], _ capture: UInt64) -> [RecordingAction] {
        pending.append((kind, bytes, capture))
        pendingBytes += bytes.count
        let first = pending.map(\.capture).min()!
        let span = pending.map(\.capture).max()! - first
        let both = video != nil && audio != nil
        let ready = (both && span >= limits.reorderMicros) || span >= limits.trackWaitMicros
        guard ready || pending.count >= limits.pendingFrames || pendingBytes >= limits.pendingBytes else { return [] }
        return start()
    }

    /// Opens a segment with a track per known medium and writes the held frames into it.
    mutating func start() -> [RecordingAction] {
        var tracks: [MatroskaTrack] = []
        if let v = video { tracks.append(MatroskaTrack(number: Int(StreamKind.video.rawValue), media: .mjpeg(v))) }
        if let a = audio { tracks.append(MatroskaTrack(number: Int(StreamKind.audio.rawValue), media: .mp3(a))) }
        let held = pending.sorted { $0.capture < $1.capture }
        pending = []
        pendingBytes = 0
        guard !tracks.isEmpty, let first = held.first else {
            for f in held { dropped[f.kind, default: 0] += 1 }
            return []
        }
        let w = MatroskaSegmentWriter(tracks: tracks, startMicros: first.capture, app: app)
        writer = w
        var out: [RecordingAction] = [.open(startMicros: first.capture, header: w.header)]
        for f in held {
            if tracks.contains(where: { $0.number == Int(f.kind.rawValue) }) {
                out += append(f.kind, f.bytes, f.capture)
            } else {
                dropped[f.kind, default: 0] += 1
            }
        }
        return out
    }

    mutating func append(_ kind: StreamKind, _ bytes: [UInt8], _ capture: UInt64) -> [RecordingAction] {
        let clusters = writer!.clusterCount
        do {
            let writes = try writer!.append(track: Int(kind.rawValue), frame: bytes, captureMicros: capture)
            recorded[kind, default: 0] += 1
            // A new cluster means the previous one is complete (its size patched in): flush it to the disk.
            let sync: [RecordingAction] = writer!.clusterCount > clusters && clusters > 0 ? [.sync] : []
            return writes.map { .write($0) } + [.recorded(kind)] + sync
        } catch {
            dropped[kind, default: 0] += 1  // captured shortly before the segment's start (see lateMicros)
            return []
        }
    }

    mutating func finish() -> [RecordingAction] {
        guard var w = writer else { return [] }
        writer = nil
        return w.finish().map { .write($0) } + [.close]
    }
}
