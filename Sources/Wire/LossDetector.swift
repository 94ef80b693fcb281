/// Receiver side of selective retransmission for one stream: finds gaps in sequence numbers and decides
/// when to NACK them. Each missing datagram is asked for at most `maxNacksPerDatagram` times, never more often
/// than once per retry interval, and is forgotten after the latency budget.
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
    /// Sequence numbers recently seen but lower than `highest`, to tell duplicates from late arrivals.
    private var recent: Set<UInt32> = []
    private var recentOrder: [UInt32] = []
    private var recentHead = 0

    public init(maxTracked: Int) {
        self.maxTracked = maxTracked
        recentOrder.reserveCapacity(1024)
    }

    public var missingCount: Int { gaps.count }
    public var deadline: Int64 { gaps.isEmpty ? .max : nextDeadline }

    /// Records an arriving sequence number. Returns false for a duplicate (already received).
    public mutating func receive(_ seq: UInt32, now: Int64, timers: Timers) -> Bool {
        counters.received += 1
        guard started else {
            started = true
            highest = seq
            remember(seq)
            return true
        }
        let d = Serial.distance(from: highest, to: seq)
        if d > 0 {
            if d > maxTracked {
                // A jump too far to track (a restarted sender, or a long outage): start over from here.
                counters.lost += gaps.count
                gaps.removeAll()
                recent.removeAll()
                recentOrder.removeAll()
                recentHead = 0
            } else if d > 1 {
                let ask = now + timers.nackReorderDelay
                var s = highest &+ 1
                while s != seq {
                    if gaps.count < maxTracked { gaps[s] = Gap(detected: now, nextAsk: ask, asked: 0) }
                    s &+= 1
                }
                nextDeadline = min(nextDeadline, ask)
            }
            highest = seq
            remember(seq)
            return true
        }
        if d == 0 { counters.duplicates += 1; return false }
        if gaps.removeValue(forKey: seq) != nil {
            counters.recovered += 1
            remember(seq)
            return true
        }
        if recent.contains(seq) { counters.duplicates += 1; return false }
        if -d > maxTracked * 4 {
            // Far behind: the sender restarted its numbering.
            counters.lost += gaps.count
            gaps.removeAll()
            highest = seq
        }
        remember(seq)
        return true  // late, untracked: let the frame assembler decide
    }

    private mutating func remember(_ seq: UInt32) {
        let cap = 1024
        if recentOrder.count < cap {
            recentOrder.append(seq)
        } else {
            recent.remove(recentOrder[recentHead])
            recentOrder[recentHead] = seq
            recentHead = (recentHead + 1) % cap
        }
        recent.insert(seq)
    }

    /// Ranges due for a NACK now (at most `maxRanges`), updating retry state; gaps past the budget or the
    /// retry limit are abandoned.
    public mutating func poll(now: Int64, retryInterval: Int64, timers: Timers, maxRanges: Int = WireConstants.maxNackRanges) -> [NackRange] {
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
        recent.removeAll()
        recentOrder.removeAll()
        recentHead = 0
        nextDeadline = .max
    }
}
