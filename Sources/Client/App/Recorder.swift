import Config
import Platform
import Recording
import Wire

/// What `--record DIR` and the RECORD_* settings ask for.
struct RecorderConfig {
    var settings: RecorderSettings
    /// Producers or streams subscribed to for recording (RECORD=1AAA99,2BBB77).
    var selectors: [StreamID] = []
    /// RECORD=all: every producer of the cluster, followed through periodic LIST answers.
    var all = false

    /// Reads the recorder's settings; nil when RECORD_DIR (--record) is empty.
    static func parse(_ settings: Settings) throws(SettingsError) -> RecorderConfig? {
        guard let dir = settings.string("record"), !dir.isEmpty else {
            if let r = settings.string("record-streams"), !r.isEmpty {
                throw SettingsError(setting: "RECORD (--record-streams)", message: "needs RECORD_DIR (--record) to say where to write")
            }
            return nil
        }
        var c = RecorderConfig(settings: RecorderSettings(root: dir))
        c.settings.segmentMicros = UInt64(try settings.int("record-segment-s", in: 5...86_400)!) * 1_000_000
        if let h = try settings.double("record-keep-hours", in: 0.001...1_000_000), h > 0 { c.settings.keepMicros = UInt64(h * 3_600_000_000) }
        if let g = try settings.double("record-max-gb", in: 0.000_001...1_000_000) { c.settings.maxBytes = Int64(g * 1e9) }
        for part in (settings.string("record-streams") ?? "").split(separator: ",") {
            let t = part.filter { $0 != " " }.uppercased()
            if t == "ALL" {
                c.all = true
                continue
            }
            guard let s = StreamID(selector: t), s.rawValue >> 8 != 0 else {
                throw SettingsError(setting: "RECORD (--record-streams)", message: "'\(part)' is not all or a 6- or 8-digit hex id")
            }
            c.selectors.append(s)
        }
        return c
    }

    static let specs: [SettingSpec] = [
        SettingSpec(
            "record", env: "RECORD_DIR",
            "Record every subscribed stream into this folder: one Matroska file per producer and segment, <DIR>/<ID>/<UTC start>.mkv (docs/RECORDINGS.md)."
        ),
        SettingSpec(
            "record-streams", env: "RECORD",
            "With RECORD_DIR: subscribe to these producers or streams for recording (comma-separated ids), or all (every producer, followed as they come online)."
        ),
        SettingSpec(
            "record-segment-s", env: "RECORD_SEGMENT_S", default: "600", "Seconds of capture time per recording file before a new one begins."),
        SettingSpec(
            "record-keep-hours", env: "RECORD_KEEP_HOURS", "Remove recordings that started longer ago than this (hours); kept forever when empty."),
        SettingSpec(
            "record-max-gb", env: "RECORD_MAX_GB", "Remove the oldest recordings while all of them together are larger than this (GB, 10^9 bytes)."),
    ]
}

/// The client's recorder: frames go to a `RecordingWriter` (its own thread), and with RECORD=all the producers
/// named in LIST answers are subscribed to as they come online.
final class Recorder {
    let config: RecorderConfig
    let writer: RecordingWriter
    let thread: PosixThread
    let log: Logger
    /// How often RECORD=all asks the broker for its producers.
    static let listInterval: Int64 = 5_000_000
    var nextList: Int64 = 0
    /// Producers subscribed to because of RECORD=all.
    var following: Set<ProducerID> = []

    init(config: RecorderConfig, log: Logger) throws(SystemError) {
        self.config = config
        self.log = log
        writer = try RecordingWriter(settings: config.settings, log: log)
        thread = writer.start()
        log.info("recording into \(config.settings.root)" + (config.all ? ", every producer" : ""))
    }

    /// Hands a frame to the writer (never blocks; a full queue drops and counts it).
    func record(_ f: CompleteFrame) { writer.submit(f) }

    /// True (and the next one scheduled) when RECORD=all should send a LIST now.
    func listDue(now: Int64) -> Bool {
        guard config.all, now >= nextList else { return false }
        nextList = now + Self.listInterval
        return true
    }

    /// The producer selectors to subscribe to for a LIST answer (RECORD=all): online producers not yet followed.
    func newProducers(_ entries: [ListEntry]) -> [StreamID] {
        guard config.all else { return [] }
        let online = Set(entries.filter { $0.state == .online }.map(\.stream.producer))
        let fresh = online.subtracting(following)
        following.formUnion(fresh)
        return fresh.sorted().map { StreamID(producer: $0, index: 0) }
    }

    var figures: RecorderFigures { writer.figures() }

    /// What `stats` prints about recording: one line per recorded stream and one for the files.
    func statsLines() -> [String] {
        let f = writer.figures()
        var lines = f.streams.sorted(by: { $0.key < $1.key }).map { id, s in
            "recording \(id): \(s.framesRecorded) frames written, \(s.framesDropped) dropped (queue full \(s.droppedQueueFull), disk errors \(s.droppedDiskError), unrecordable \(s.droppedUnrecordable))"
        }
        let open = f.openFiles.sorted(by: { $0.key < $1.key }).map(\.value)
        lines.append(
            "recordings in \(config.settings.root): \(f.bytesWritten) bytes written, now writing "
                + (open.isEmpty ? "nothing" : open.joined(separator: ", "))
                + (f.failing.isEmpty ? "" : "; stopped by write errors: " + f.failing.sorted().map(\.description).joined(separator: ", ")))
        return lines
    }

    /// Writes what is queued, finishes every file, stops the thread and logs what was recorded.
    func stop() {
        writer.stop()
        thread.join()
        let f = writer.figures()
        for (id, s) in f.streams.sorted(by: { $0.key < $1.key }) {
            log.info(
                "recorded \(id): \(s.framesRecorded) frames, \(s.framesDropped) dropped (queue full \(s.droppedQueueFull), "
                    + "disk errors \(s.droppedDiskError), unrecordable \(s.droppedUnrecordable))")
        }
        log.info("recorder: \(f.bytesWritten) bytes written, \(f.filesRemoved) files removed by retention")
    }
}
