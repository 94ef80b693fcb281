import Matroska
import Platform
import Recording
import Wire

/// One recording replayed to one tab, from the FILE (not the live stream): blocks read with `MatroskaReader` in
/// bounded windows a little ahead of the position, paced by a `ReplayClock` at 1× or 2× against the client's clock,
/// and seeked by the file's cues, or for a file without cues (being written, or cut by a crash) by the clusters it
/// has scanned so far and a scan forward from there.
final class ReplaySession {
    struct Limits {
        /// Bytes read from the file in one window (one window per replay per turn at most).
        var window = 256 << 10
        /// A block larger than a window makes the window grow, up to this; a larger block ends the replay.
        var maxWindow = 8 << 20
        /// How far ahead of the position blocks are read, ms.
        var aheadMillis: Int64 = 1000
        /// Bytes of blocks read ahead and not yet sent, at most.
        var maxPendingBytes = 4 << 20
        /// How long to wait before looking again at the end of a file being written, µs.
        var growthRetry: Int64 = 500_000
    }

    struct Pending {
        var block: MatroskaReader.Block
        var bytes: ArraySlice<UInt8>
    }

    let id: Int
    /// `<ID>/<file>` (checked by `RecordingName.validatedPath`).
    let path: String
    private let file: String
    let producer: ProducerID
    let startMicros: UInt64
    private let kinds: [Int: StreamKind]
    private let limits: Limits
    private(set) var clock: ReplayClock
    private(set) var durationMillis: Int64
    private let finished: Bool
    /// Resume points by time: the cues, or the places read so far.
    private var index: [(millis: Int64, at: MatroskaReader.Position)]
    private var position: MatroskaReader.Position
    private var pending: [Pending] = []
    private var pendingBytes = 0
    private var window: Int
    private var atEnd = false
    private var retryAt: Int64 = 0
    /// After a seek: blocks before this are read but not sent.
    private var skipBefore: Int64 = 0
    /// After a seek while paused: the first video block at or after the target is sent at once (the still).
    private var wantsStill = false
    private var blockIndex: UInt32 = 0
    private(set) var ended = false

    /// nil (with the reason) when the file cannot be read as a recording.
    init(id: Int, root: String, path: String, producer: ProducerID, now: Int64, limits: Limits = Limits()) throws(ReplayCommandError) {
        self.id = id
        self.path = path
        file = root + "/" + path
        self.producer = producer
        self.limits = limits
        window = limits.window
        clock = ReplayClock(now: now)
        guard let head = try? Files.readPrefix(file, count: MatroskaDurationReader.headerBytes), let h = MatroskaReader.header(head), let body = h.bodyStart
        else { throw ReplayCommandError("\(path) is not a recording that can be read") }
        let nameStart = RecordingName.startMicros(ofFile: String(path.split(separator: "/").last ?? "")) ?? 0
        startMicros = h.startMicros ?? nameStart
        kinds = h.tracks.compactMapValues { $0 == "V_MJPEG" ? .video : $0 == "A_MPEG/L3" ? .audio : nil }
        position = MatroskaReader.Position(offset: body)
        index = [(0, position)]
        var cues: [MatroskaReader.CuePoint] = []
        if let at = h.cuesOffset, let bytes = try? Files.read(file, offset: at, count: limits.maxWindow),
            let c = MatroskaReader.cues(bytes, segmentDataStart: h.segmentDataStart)
        {
            cues = c
        }
        finished = h.durationMillis != nil
        if !cues.isEmpty { index = cues.map { ($0.timeMillis, MatroskaReader.Position(offset: $0.clusterOffset)) } }
        durationMillis = h.durationMillis.map { Int64($0.rounded()) } ?? Self.tailMillis(file, limits: limits) ?? 0
    }

    /// The time of the last block in the last bytes of a file without a Duration (being written, or cut short).
    static func tailMillis(_ file: String, limits: Limits) -> Int64? {
        guard let size = RecordingIndex.fileSize(file) else { return nil }
        let from = Int(max(0, size - Int64(limits.window)))
        guard let tail = try? Files.read(file, offset: from, count: limits.window), tail.count >= 4 else { return nil }
        let id: [UInt8] = [0x1F, 0x43, 0xB6, 0x75]
        for i in stride(from: tail.count - 4, through: 0, by: -1) where tail[i] == id[0] && Array(tail[i..<(i + 4)]) == id {
            let (blocks, _) = MatroskaReader.blocks(Array(tail[i...]), from: MatroskaReader.Position(offset: from + i))
            if let last = blocks.last { return last.timeMillis }
        }
        return nil
    }

    var state: String { ended ? "ended" : clock.playing ? "playing" : "paused" }

    func stateJSON(now: Int64) -> String {
        ViewerMessage.replay(
            id: id, path: path, startMicros: startMicros, durationMillis: durationMillis, positionMillis: min(clock.position(now: now), max(durationMillis, 0)),
            state: state, speed: clock.speed)
    }

    func play(now: Int64) {
        if ended { seek(0, now: now) }
        clock.play(now: now)
    }

    func pause(now: Int64) { clock.pause(now: now) }

    func setSpeed(_ s: Int64, now: Int64) { clock.setSpeed(s, now: now) }

    /// Goes to `millis` (clamped to the duration known): reads on from the last resume point at or before it.
    func seek(_ millis: Int64, now: Int64) {
        let target = max(0, durationMillis > 0 ? min(millis, durationMillis) : millis)
        clock.seek(target, now: now)
        position = (index.last { $0.millis <= target } ?? index[0]).at
        pending = []
        pendingBytes = 0
        atEnd = false
        ended = false
        skipBefore = target
        wantsStill = !clock.playing
    }

    /// When the next block is due (µs), for the event loop's wait; nil when nothing is due by time.
    var nextDue: Int64? {
        if wantsStill, !pending.isEmpty { return 0 }
        if (clock.playing || wantsStill) && pending.isEmpty { return atEnd ? (finished ? nil : retryAt) : 0 }
        return pending.first.flatMap { clock.time(of: $0.block.timeMillis) }
    }

    /// One turn: reads at most one window (`budget` bytes left for all replays this turn), and returns the media
    /// messages due now (and whether each is video) and whether the state changed (the replay ended).
    func service(now: Int64, budget: inout Int) -> (messages: [(bytes: [UInt8], video: Bool)], changed: Bool) {
        if budget > 0, needsMore(now: now) { budget -= read(now: now) }
        var out: [(bytes: [UInt8], video: Bool)] = []
        let due = clock.position(now: now)
        while let p = pending.first, p.block.timeMillis <= due || (wantsStill && kinds[p.block.track] == .video) {
            pending.removeFirst()
            pendingBytes -= p.bytes.count
            guard let kind = kinds[p.block.track] else { continue }
            if wantsStill && kind != .video && !clock.playing { continue }
            if kind == .video { wantsStill = false }
            blockIndex &+= 1
            let capture = startMicros &+ UInt64(max(0, p.block.timeMillis)) &* 1000
            let m = ViewerMessage.replayMedia(
                replay: UInt32(id), stream: StreamID(producer: producer, kind: kind), index: blockIndex, captureMicros: capture, bytes: p.bytes)
            out.append((m, kind == .video))
        }
        if clock.playing, atEnd, pending.isEmpty, finished || due > durationMillis + 2000 {
            ended = true
            clock.pause(now: now)
            clock.seek(durationMillis, now: now)
            return (out, true)
        }
        return (out, false)
    }

    private func needsMore(now: Int64) -> Bool {
        if atEnd && (finished || now < retryAt) { return false }
        guard pendingBytes < limits.maxPendingBytes else { return false }
        if wantsStill && !pending.contains(where: { kinds[$0.block.track] == .video }) { return true }
        let horizon = max(clock.position(now: now), skipBefore) + limits.aheadMillis * clock.speed
        return (pending.last?.block.timeMillis ?? .min) < horizon
    }

    /// Reads one window at the read position; returns the bytes read.
    private func read(now: Int64) -> Int {
        guard let bytes = try? Files.read(file, offset: position.offset, count: window) else {
            atEnd = true
            retryAt = now + limits.growthRetry
            return 0
        }
        let (blocks, next) = MatroskaReader.blocks(bytes, from: position)
        if next == position {
            if bytes.count == window && window < limits.maxWindow {
                window = min(window * 2, limits.maxWindow)  // one block larger than the window
            } else {
                atEnd = true  // the end of the file, for now (a file being written grows)
                retryAt = now + limits.growthRetry
            }
            return bytes.count
        }
        atEnd = next.ended
        if let first = blocks.first, position.clusterMillis != nil || index.count == 1, first.timeMillis >= (index.last?.millis ?? 0) + 1000, !finished {
            index.append((first.timeMillis, position))  // a resume point for seeks in a file without cues
        }
        for b in blocks {
            durationMillis = max(durationMillis, b.timeMillis)
            guard b.timeMillis >= skipBefore else { continue }
            let slice = bytes[(b.data.lowerBound - position.offset)..<(b.data.upperBound - position.offset)]
            pending.append(Pending(block: b, bytes: slice))
            pendingBytes += slice.count
        }
        position = next
        return bytes.count
    }
}
