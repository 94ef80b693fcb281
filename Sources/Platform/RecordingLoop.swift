import Matroska
import Recording
import Wire

/// The writer thread's state: one `ProducerRecording` and one open `RecordingFile` per producer, the disk-error
/// state, syncing and retention. Used by that thread alone.
final class RecordingLoop {
    let settings: RecorderSettings
    let log: Logger
    var recordings: [ProducerID: ProducerRecording] = [:]
    var files: [ProducerID: RecordingFile] = [:]
    /// Producers stopped by a write error, with when to try a new file.
    var retryAt: [ProducerID: Int64] = [:]
    var figures = RecorderFigures()
    var nextRetention: Int64 = 0
    /// Whether the file being written has a frame in it yet (a file without one is removed when it fails).
    var hasFrames: [ProducerID: Bool] = [:]

    init(settings: RecorderSettings, log: Logger) {
        self.settings = settings
        self.log = log
    }

    func record(_ frames: [CompleteFrame], now: Int64) {
        for f in frames {
            guard let kind = f.stream.kind else { continue }
            let p = f.stream.producer
            if let at = retryAt[p] {
                guard now >= at else {
                    figures.streams[f.stream, default: RecorderStreamFigures()].droppedDiskError += 1
                    continue
                }
                retryAt[p] = nil  // try again; the error line is said again only if it fails after a success
            }
            var r = recordings[p] ?? ProducerRecording(producer: p, segmentMicros: settings.segmentMicros, limits: settings.limits)
            let actions = r.add(kind, f.bytes, captureMicros: f.captureTime)
            recordings[p] = r
            carryOut(actions, for: p, now: now)
            noteCounts(p)
        }
    }

    /// Syncs data written more than `syncMicros` ago, and runs retention when due.
    func tick(now: Int64) {
        for f in files.values { if let d = f.dirtySince, now - d >= settings.syncMicros { f.sync() } }
        if now >= nextRetention { removeExpired(now: now) }
    }

    func closeAll() {
        for p in recordings.keys {
            var r = recordings[p]!
            let actions = r.close()
            recordings[p] = r
            carryOut(actions, for: p, now: Clock.now())
            noteCounts(p)
        }
    }

    func carryOut(_ actions: [RecordingAction], for p: ProducerID, now: Int64) {
        for (i, a) in actions.enumerated() {
            do throws(SystemError) {
                try carryOut(a, for: p, now: now)
            } catch {
                // The frames of the actions not carried out never reached the file.
                for case .recorded(let kind) in actions[i...] {
                    figures.streams[StreamID(producer: p, kind: kind), default: RecorderStreamFigures()].droppedDiskError += 1
                }
                fail(p, error, now: now)
                return
            }
        }
    }

    func carryOut(_ a: RecordingAction, for p: ProducerID, now: Int64) throws(SystemError) {
        switch a {
        case .open(let start, let header):
            let f = try RecordingFile.create(root: settings.root, producer: p, startMicros: start)
            files[p] = f
            hasFrames[p] = false
            figures.openFiles[p] = f.relativePath
            try f.append(header, now: now)
            figures.bytesWritten += Int64(header.count)
            if figures.failing.remove(p) != nil { log.info("recording of \(p) resumed in \(f.relativePath)") }
        case .write(.append(let bytes)):
            try files[p]!.append(bytes, now: now)
            hasFrames[p] = true
            figures.bytesWritten += Int64(bytes.count)
        case .write(.patch(let offset, let bytes)):
            try files[p]!.patch(bytes, at: offset, now: now)
        case .recorded(let kind):
            figures.streams[StreamID(producer: p, kind: kind), default: RecorderStreamFigures()].framesRecorded += 1
        case .sync:
            files[p]?.sync()
        case .close:
            files.removeValue(forKey: p)?.close()
            figures.openFiles[p] = nil
        }
    }

    /// A write failed (a full disk): the file is left as it is (valid up to its last whole frame, or removed when
    /// it holds none), the producer's frames are dropped until a retry, and one line says so per outage.
    func fail(_ p: ProducerID, _ error: SystemError, now: Int64) {
        for (kind, n) in recordings[p]?.abandon() ?? [:] {
            figures.streams[StreamID(producer: p, kind: kind), default: RecorderStreamFigures()].droppedDiskError += n
        }
        if let f = files.removeValue(forKey: p) {
            if hasFrames[p] == true { f.close() } else { f.discard() }
        }
        figures.openFiles[p] = nil
        retryAt[p] = now + settings.retryMicros
        if figures.failing.insert(p).inserted {
            log.error(
                "recording of \(p) (streams \(StreamID(producer: p, kind: .video)) and \(StreamID(producer: p, kind: .audio))) stopped: \(error); "
                    + "its files stay valid up to their last whole frame; recording resumes in a new file when writing works again")
        }
    }

    /// Frames the producer's recording dropped as unrecordable (late, or without a track), into the figures.
    func noteCounts(_ p: ProducerID) {
        guard let r = recordings[p] else { return }
        for (kind, n) in r.dropped { figures.streams[StreamID(producer: p, kind: kind), default: RecorderStreamFigures()].droppedUnrecordable = n }
    }

    /// Removes expired files (RECORD_KEEP_HOURS, RECORD_MAX_GB), oldest first, never one being written.
    func removeExpired(now: Int64) {
        nextRetention = now + settings.retentionMicros
        guard settings.keepMicros != nil || settings.maxBytes != nil else { return }
        let open = Set(files.values.map(\.relativePath))
        let expired = RetentionPlan.expired(
            RecordingIndex.scan(settings.root), nowMicros: Clock.wallMicros(), keepMicros: settings.keepMicros, maxBytes: settings.maxBytes,
            open: open)
        for e in expired {
            guard let rel = RecordingName.validatedPath(producer: e.producer.description, file: e.file) else { continue }
            if Files.remove(settings.root + "/" + rel) {
                figures.filesRemoved += 1
                figures.bytesRemoved += e.bytes
                log.info("retention removed \(rel) (\(e.bytes) bytes)")
            }
        }
    }
}
