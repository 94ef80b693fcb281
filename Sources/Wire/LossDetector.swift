/// Receiver side of selective retransmission for one stream: finds gaps in sequence numbers and decides
/// when to NACK them. Each missing datagram is asked for at most `maxNacksPerDatagram` times, never more often
/// than once per retry interval, and is forgotten after the latency budget.
///
/// A gap shows only once a later datagram arrives, which for the last chunk of a frame means waiting for the
/// next frame (a second for 1 fps audio). So the detector is also told where each frame starts and ends: when
/// the stream goes quiet for a retry interval short of the end, the missing tail is asked for like any gap, and
/// the chunks of the first frame seen that precede the first datagram are wanted too.
public struct LossDetector: Sendable {
    struct Gap {
        var detected: Int64
        var nextAsk: Int64
        var asked: Int
    }

    public struct Counters: Sendable, Equatable {
        public var received = 0
        public var duplicates = 0
        public var lost = 0
        public var recovered = 0
        public var nacksSent = 0
        public var abandoned = 0
        public init() {}
    }

    public private(set) var highest: UInt32 = 0
    public private(set) var started = false
    private var gaps: [UInt32: Gap] = [:]
    private var nextDeadline: Int64 = .max
    public private(set) var counters = Counters()
    public let maxTracked: Int
    /// Which of the last `window` sequence numbers up to `highest` arrived, one bit each (slot = seq mod window):
    /// tells duplicates from late arrivals without hashing (a set here was a tenth of a client's CPU).
    private var seen = [UInt64](repeating: 0, count: LossDetector.window / 64)
    static let window = 4096
    /// The last sequence number of the newest frame seen; beyond `highest` it is that frame's tail, still due.
    private var frameEnd: UInt32 = 0
    private var lastArrival: Int64 = 0
    /// When to look whether the tail has gone missing.
    private var tailCheck: Int64 = .max

    public init(maxTracked: Int) {
        self.maxTracked = maxTracked
    }

    public var missingCount: Int { gaps.count }
    public var deadline: Int64 { min(gaps.isEmpty ? .max : nextDeadline, tailPending ? tailCheck : .max) }

    private var tailPending: Bool {
        let d = Serial.distance(from: highest, to: frameEnd)
        return started && d > 0 && d <= maxTracked
    }

    /// Records an arriving sequence number. Returns false for a duplicate (already received).
    /// `frameStart` and `frameEnd` are the first and last sequence numbers of the datagram's frame, if known
    /// (`DataHeader.frameStart`, `DataHeader.frameEnd`).
    public mutating func receive(_ seq: UInt32, frameStart start: UInt32? = nil, frameEnd end: UInt32? = nil, now: Int64, timers: Timers) -> Bool {
        guard record(seq, frameStart: start, now: now, timers: timers) else { return false }
        lastArrival = now
        if let end, Serial.less(frameEnd, end) || !tailPending {
            frameEnd = end
        }
        if tailPending { tailCheck = now + timers.tailQuiet }
        return true
    }

    private mutating func record(_ seq: UInt32, frameStart start: UInt32?, now: Int64, timers: Timers) -> Bool {
        counters.received += 1
        guard started else {
            started = true
            highest = seq
            for w in seen.indices { seen[w] = 0 }
            remember(seq)
            if let start, Serial.less(start, seq), Serial.distance(from: start, to: seq) <= maxTracked {
                // Joined mid-frame, or the frame's first chunks were lost or overtaken: they are wanted too.
                track(start, upTo: seq, now: now, ask: now + timers.nackReorderDelay)
            }
            return true
        }
        let d = Serial.distance(from: highest, to: seq)
        if d > 0 {
            if d > maxTracked {
                // A jump too far to track (a restarted sender, or a long outage): start over from here.
                counters.lost += gaps.count
                gaps.removeAll()
            } else if d > 1 {
                track(highest &+ 1, upTo: seq, now: now, ask: now + timers.nackReorderDelay)
            }
            forget(after: highest, through: seq, distance: d)
            highest = seq
            remember(seq)
            return true
        }
        // `highest` itself may be missing: a lost frame tail is tracked up to the frame's end.
        if gaps.removeValue(forKey: seq) != nil {
            counters.recovered += 1
            remember(seq)
            return true
        }
        if d == 0 { counters.duplicates += 1; return false }
        if -d < Self.window && wasSeen(seq) { counters.duplicates += 1; return false }
        if -d > maxTracked * 4 {
            // Far behind: the sender restarted its numbering.
            counters.lost += gaps.count
            gaps.removeAll()
            forget(after: highest, through: seq, distance: Self.window)
            highest = seq
        }
        if Serial.distance(from: seq, to: highest) < Self.window { remember(seq) }
        return true  // late, untracked: let the frame assembler decide
    }

    /// Tracks `first` up to but not including `end` as missing (as far as the bound allows), first asked at `ask`.
    private mutating func track(_ first: UInt32, upTo end: UInt32, now: Int64, ask: Int64) {
        var s = first
        while s != end {
            if gaps.count < maxTracked { gaps[s] = Gap(detected: now, nextAsk: ask, asked: 0) }
            s &+= 1
        }
        nextDeadline = min(nextDeadline, ask)
    }

    private mutating func remember(_ seq: UInt32) {
        let i = Int(seq) & (Self.window - 1)
        seen[i >> 6] |= 1 << UInt64(i & 63)
    }

    private func wasSeen(_ seq: UInt32) -> Bool {
        let i = Int(seq) & (Self.window - 1)
        return seen[i >> 6] & (1 << UInt64(i & 63)) != 0
    }

    /// Clears the slots of `from+1 ... through` (they now stand for newer numbers than they did).
    private mutating func forget(after from: UInt32, through: UInt32, distance: Int) {
        if distance >= Self.window {
            for w in seen.indices { seen[w] = 0 }
            return
        }
        var s = from &+ 1
        for _ in 0..<distance {
            let i = Int(s) & (Self.window - 1)
            seen[i >> 6] &= ~(1 << UInt64(i & 63))
            s &+= 1
        }
    }

    /// Ranges due for a NACK now (at most `maxRanges`), updating retry state; gaps past the budget or the
    /// retry limit are abandoned.
    public mutating func poll(now: Int64, retryInterval: Int64, timers: Timers, maxRanges: Int = WireConstants.maxNackRanges) -> [NackRange] {
        if tailPending, now >= tailCheck {
            let quiet = max(retryInterval, timers.tailQuiet)
            if now - lastArrival >= quiet {
                // Quiet before the frame was complete: its chunks are sent back to back, so the tail was lost.
                track(highest &+ 1, upTo: frameEnd &+ 1, now: now, ask: now)
                highest = frameEnd
            } else {
                tailCheck = lastArrival + quiet
            }
        }
        guard !gaps.isEmpty, now >= nextDeadline else { return [] }
        var due: [UInt32] = []
        var next: Int64 = .max
        for (seq, var g) in gaps {
            if now - g.detected > timers.latencyBudget || (g.asked >= timers.maxNacksPerDatagram && g.nextAsk <= now) {
                gaps.removeValue(forKey: seq)
                counters.lost += 1
                counters.abandoned += 1
                continue
            }
            if g.nextAsk <= now {
                due.append(seq)
                g.asked += 1
                g.nextAsk = now + retryInterval
                gaps[seq] = g
            }
            next = min(next, g.nextAsk, g.detected + timers.latencyBudget + 1)
        }
        nextDeadline = next
        guard !due.isEmpty else { return [] }
        due.sort { Serial.less($0, $1) }
        var ranges: [NackRange] = []
        for s in due {
            if var last = ranges.last, last.start &+ UInt32(last.count) == s, last.count < UInt16.max {
                last.count += 1
                ranges[ranges.count - 1] = last
            } else if ranges.count < maxRanges {
                ranges.append(NackRange(start: s, count: 1))
            } else {
                // Too many ranges for one NACK: ask for the rest on the next poll.
                if var g = gaps[s] { g.asked -= 1; g.nextAsk = now; gaps[s] = g }
                nextDeadline = now
            }
        }
        counters.nacksSent += 1
        return ranges
    }

    public mutating func reset() {
        started = false
        gaps.removeAll()
        for w in seen.indices { seen[w] = 0 }
        nextDeadline = .max
        frameEnd = 0
        tailCheck = .max
    }
}
