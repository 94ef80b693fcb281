/// Receiver side of selective retransmission for one stream: finds gaps in sequence numbers and decides
/// when to NACK them. Each missing datagram is asked for at most `maxNacksPerDatagram` times, never more often
/// than once per retry interval, and is forgotten after the latency budget.
///
/// A gap shows only once a later datagram arrives, which for the last chunk of a frame means waiting for the
/// next frame (a second for 1 fps audio). So the detector is also told where each frame starts and ends: when
/// the stream goes quiet short of the end, the missing tail is asked for like any gap, and the chunks of the
/// first frame seen that precede the first datagram are wanted too.
///
/// How long "quiet" is adapts per stream, as TCP RACK adapts its reordering window: it starts at
/// `minTailQuiet`; when a tail asked for turns out to have been only late (its original, not a resend, arrives
/// after the NACK) it doubles, up to `tailQuiet`; every frame whose tail comes without being asked for takes it
/// 1/16 of the way back down. A path that delivers a frame's chunks back to back recovers lost tails after a few
/// milliseconds; a path that spaces them out (a busy relay) stops asking for tails that are on their way.
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
        /// Dropped by a detector that `dropsStale`: older than the duplicate window and not a missing number.
        public var stale = 0
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
    /// The duplicate-detection window, in sequence numbers (a power of two, a multiple of 64).
    static let window = 4096
    /// The last sequence number of the newest frame seen; beyond `highest` it is that frame's tail, still due.
    private var frameEnd: UInt32 = 0
    private var lastArrival: Int64 = 0
    /// When to look whether the tail has gone missing.
    private var tailCheck: Int64 = .max
    /// The current quiet time before a tail is presumed lost (0 = not yet set: `minTailQuiet`).
    public private(set) var tailQuiet: Int64 = 0
    /// The last tail asked for: `first ..< end` (sequence numbers), to spot a spurious tail NACK.
    private var askedTail: (first: UInt32, end: UInt32)?

    /// Drop what is older than the duplicate window unless it is a missing number, instead of handing it on (or,
    /// far behind, following it as a restarted sender). For a receiver whose sender cannot restart its numbering
    /// without a new session (the broker, per producer session): an old datagram replayed is not forwarded again.
    public let dropsStale: Bool

    public init(maxTracked: Int, dropsStale: Bool = false) {
        self.maxTracked = maxTracked
        self.dropsStale = dropsStale
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
    /// `resent`: the datagram carries the retransmit flag (a resend, not the original).
    public mutating func receive(
        _ seq: UInt32, frameStart start: UInt32? = nil, frameEnd end: UInt32? = nil, resent: Bool = false, now: Int64, timers: Timers
    ) -> Bool {
        if tailQuiet == 0 { tailQuiet = timers.minTailQuiet }
        let wasPending = tailPending
        let tailBefore = frameEnd
        guard record(seq, frameStart: start, now: now, timers: timers) else { return false }
        adaptTailQuiet(seq, resent: resent, completedTail: wasPending && !tailPending && seq == tailBefore, timers: timers)
        lastArrival = now
        if let end, Serial.less(frameEnd, end) || !tailPending {
            frameEnd = end
        }
        if tailPending { tailCheck = now + tailQuiet }
        return true
    }

    private mutating func adaptTailQuiet(_ seq: UInt32, resent: Bool, completedTail: Bool, timers: Timers) {
        if let t = askedTail, Serial.distance(from: t.first, to: seq) >= 0, Serial.less(seq, t.end) {
            if !resent {
                // The original arrived after its tail was asked for: the NACK was spurious, wait longer.
                tailQuiet = min(max(tailQuiet * 2, timers.minTailQuiet), timers.tailQuiet)
            }
            askedTail = nil
        } else if completedTail {
            // A frame's last chunk came without being asked for: ease back towards the minimum.
            tailQuiet = max(timers.minTailQuiet, tailQuiet - (tailQuiet - timers.minTailQuiet + 15) / 16)
        }
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
        if d == 0 {
            counters.duplicates += 1
            return false
        }
        if -d < Self.window && wasSeen(seq) {
            counters.duplicates += 1
            return false
        }
        if dropsStale && -d >= Self.window {
            counters.stale += 1
            return false
        }
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
            // Never shorter than a retry interval: a sender may pace one frame's chunks by about an RTT.
            let quiet = max(retryInterval, tailQuiet == 0 ? timers.minTailQuiet : tailQuiet)
            if now - lastArrival >= quiet {
                // Quiet before the frame was complete: its chunks are sent back to back, so the tail was lost.
                track(highest &+ 1, upTo: frameEnd &+ 1, now: now, ask: now)
                askedTail = (highest &+ 1, frameEnd &+ 1)
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
                if var g = gaps[s] {
                    g.asked -= 1
                    g.nextAsk = now
                    gaps[s] = g
                }
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
        askedTail = nil
    }
}
