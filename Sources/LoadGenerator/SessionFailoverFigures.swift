import ClientCore
import Platform
import Wire

/// One session's failover figures since the last report (`client --sessions`, SIGUSR1): per stream the longest gap
/// and the frames lost, and per move how long the viewer waited. Time to move is measured two ways: from the last
/// frame before the move to the first frame after (what the viewer sees: detection, the new broker's WELCOME, the
/// streams resuming), and from the detection (the `.moved` event) to the new broker's WELCOME.
struct SessionFailoverFigures {
    var streams: [StreamID: StreamGapFigures] = [:]
    var moves = 0
    /// Last frame of any stream (kept across reports).
    var lastFrameAt: Int64?
    /// A move not yet followed by a frame: when it was detected, and the last frame before it.
    var pendingMoveAt: Int64?
    var frameBeforeMove: Int64?
    /// Detected move not yet welcomed by the new broker.
    var welcomePendingAt: Int64?
    /// Per completed move: last frame before → first frame after; detection → WELCOME; last frame → detection.
    var moveGaps: [Int64] = []
    var welcomeDelays: [Int64] = []
    var detectDelays: [Int64] = []
    /// The core's dropped-frame and suppressed-duplicate counts at the last report.
    var droppedSeen = 0
    var suppressedSeen = 0

    mutating func frame(_ f: CompleteFrame, now: Int64) {
        streams[f.stream, default: StreamGapFigures()].record(number: f.number, now: now)
        if pendingMoveAt != nil {
            if let b = frameBeforeMove { moveGaps.append(now - b) }
            pendingMoveAt = nil
            frameBeforeMove = nil
        }
        lastFrameAt = now
    }

    mutating func moved(now: Int64) {
        moves += 1
        welcomePendingAt = welcomePendingAt ?? now
        // A second move before any frame belongs to the same outage: it is timed from the first.
        guard pendingMoveAt == nil else { return }
        pendingMoveAt = now
        frameBeforeMove = lastFrameAt
        if let b = lastFrameAt { detectDelays.append(now - b) }
    }

    mutating func connected(now: Int64) {
        guard let t = welcomePendingAt else { return }
        welcomeDelays.append(now - t)
        welcomePendingAt = nil
    }

    /// One JSON object for the report, then a fresh period.
    mutating func report(index: Int, broker: PeerAddress, core: ClientSession) -> String {
        let dropped = core.stats.values.reduce(0) { $0 + $1.frames.dropped }
        let streamText = streams.keys.sorted().map { streams[$0]!.json($0) }.joined(separator: ",")
        let list = { (v: [Int64]) in "[" + v.map(ms).joined(separator: ",") + "]" }
        let text =
            "{\"session\":\(index),\"broker\":\"\(broker)\",\"moves\":\(moves),\"dropped\":\(dropped - droppedSeen),"
            + "\"suppressed\":\(core.duplicateFrames - suppressedSeen),\"move_ms\":\(list(moveGaps)),"
            + "\"welcome_ms\":\(list(welcomeDelays)),\"detect_ms\":\(list(detectDelays)),\"streams\":{\(streamText)}}"
        droppedSeen = dropped
        suppressedSeen = core.duplicateFrames
        moves = 0
        moveGaps = []
        welcomeDelays = []
        detectDelays = []
        for id in streams.keys { streams[id]!.reset() }
        return text
    }
}
