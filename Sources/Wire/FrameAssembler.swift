/// A frame handed on by the assembler: complete and byte-identical to what the producer read.
public struct CompleteFrame: Sendable, Equatable {
    public var stream: StreamID
    public var number: UInt32
    public var captureTime: UInt64
    public var bytes: [UInt8]
    /// Monotonic time its first chunk arrived.
    public var firstSeen: Int64
    /// Sent from the broker's join cache (a chunk carried the cached flag): its age is not live latency.
    public var cached = false
}

/// Reassembles one stream's chunks into whole frames and hands them on in frame-number order. A frame that
/// cannot complete within the latency budget is dropped whole, never handed on in part. Memory is bounded by
/// `maxFramesInFlight` frames and `maxBytesInFlight` bytes.
public struct FrameAssembler: Sendable {
    struct Partial {
        var length: Int
        var chunkCount: Int
        var captureTime: UInt64
        var bytes: [UInt8]
        var have: [Bool]
        var received = 0
        var firstSeen: Int64
        var cached = false
        var complete: Bool { received == chunkCount }
    }

    public struct Counters: Sendable, Equatable {
        public var delivered = 0
        /// Frames skipped: incomplete past the budget, never seen, or evicted by the in-flight limits.
        public var dropped = 0
        /// Chunks that arrived for frames already handed on or dropped.
        public var lateChunks = 0
        /// Chunks that disagreed with earlier chunks of the same frame.
        public var inconsistent = 0
        public var duplicateChunks = 0
        public init() {}
    }

    public let stream: StreamID
    public let maxFramesInFlight: Int
    public let maxBytesInFlight: Int
    private var frames: [UInt32: Partial] = [:]
    private var bytesInFlight = 0
    /// Next frame number to hand on; nil until the first chunk arrives.
    public private(set) var next: UInt32?
    private var deliveredAny = false
    public private(set) var counters = Counters()

    public init(stream: StreamID, maxFramesInFlight: Int = Limits().maxFramesInFlight, maxBytesInFlight: Int = Limits().maxBytesInFlight) {
        self.stream = stream
        self.maxFramesInFlight = maxFramesInFlight
        self.maxBytesInFlight = maxBytesInFlight
    }

    public var framesInFlight: Int { frames.count }

    /// Adds one validated DATA chunk; returns the frames that became deliverable, in order.
    public mutating func add(_ h: DataHeader, payload: ArraySlice<UInt8>, now: Int64, budget: Int64) -> [CompleteFrame] {
        let n = h.frameNumber
        if let nx = next {
            if Serial.less(n, nx) {
                if !deliveredAny && Serial.distance(from: n, to: nx) < maxFramesInFlight {
                    next = n  // before the first hand-on, an earlier frame may still arrive (reordering at join)
                } else {
                    counters.lateChunks += 1
                    return []
                }
            } else if Serial.distance(from: nx, to: n) > 4 * maxFramesInFlight {
                // The sender jumped far ahead (restart, long outage): resynchronise instead of counting
                // thousands of frames as dropped.
                counters.dropped += frames.count
                frames.removeAll()
                bytesInFlight = 0
                next = n
            }
        } else {
            next = n
        }
        if var p = frames[n] {
            guard p.length == Int(h.frameLength), p.chunkCount == Int(h.chunkCount), p.captureTime == h.captureTime else {
                counters.inconsistent += 1
                return []
            }
            let i = Int(h.chunkIndex)
            if p.have[i] {
                counters.duplicateChunks += 1
                return []
            }
            frames[n] = nil  // keep the storage uniquely referenced while writing
            store(&p, index: i, payload: payload)
            if h.flags & DataHeader.cachedFlag != 0 { p.cached = true }
            frames[n] = p
        } else {
            var p = Partial(
                length: Int(h.frameLength), chunkCount: Int(h.chunkCount), captureTime: h.captureTime,
                bytes: [UInt8](repeating: 0, count: Int(h.frameLength)), have: [Bool](repeating: false, count: Int(h.chunkCount)),
                firstSeen: now, cached: h.flags & DataHeader.cachedFlag != 0)
            store(&p, index: Int(h.chunkIndex), payload: payload)
            frames[n] = p
            bytesInFlight += p.length
            enforceLimits()
        }
        return drain(now: now, budget: budget)
    }

    private func store(_ p: inout Partial, index: Int, payload: ArraySlice<UInt8>) {
        let offset = index * WireConstants.chunkPayload
        p.bytes.withUnsafeMutableBytes { dst in
            payload.withUnsafeBytes { src in
                dst.baseAddress!.advanced(by: offset).copyMemory(from: src.baseAddress!, byteCount: src.count)
            }
        }
        p.have[index] = true
        p.received += 1
    }

    private mutating func enforceLimits() {
        while frames.count > maxFramesInFlight || (bytesInFlight > maxBytesInFlight && frames.count > 1) {
            guard let nx = next else { return }
            // Drop the head: the oldest frame, whatever its state.
            if let p = frames.removeValue(forKey: nx) { bytesInFlight -= p.length }
            counters.dropped += 1
            next = nx &+ 1
        }
    }

    /// Hands on complete frames in order and drops heads whose time ran out. Call on every deadline too.
    public mutating func drain(now: Int64, budget: Int64) -> [CompleteFrame] {
        var out: [CompleteFrame] = []
        while let nx = next, !frames.isEmpty {
            if let p = frames[nx], p.complete {
                frames[nx] = nil
                bytesInFlight -= p.length
                out.append(
                    CompleteFrame(stream: stream, number: nx, captureTime: p.captureTime, bytes: p.bytes, firstSeen: p.firstSeen, cached: p.cached))
                counters.delivered += 1
                deliveredAny = true
                next = nx &+ 1
                continue
            }
            guard let d = headDeadline(budget: budget), now >= d else { break }
            if let p = frames.removeValue(forKey: nx) { bytesInFlight -= p.length }
            counters.dropped += 1
            next = nx &+ 1
        }
        return out
    }

    /// When the head frame gives up: its own budget, or if it was never seen, the budget of the oldest later frame.
    private func headDeadline(budget: Int64) -> Int64? {
        guard let nx = next else { return nil }
        if let p = frames[nx] { return p.firstSeen + budget }
        var earliest: Int64 = .max
        for p in frames.values { earliest = min(earliest, p.firstSeen) }
        return earliest == .max ? nil : earliest + budget
    }

    /// The next time `drain` could drop something, or nil.
    public func deadline(budget: Int64) -> Int64? {
        guard !frames.isEmpty else { return nil }
        return headDeadline(budget: budget)
    }

    /// Gives up every frame before `number` (an outage no repair is worth): those not handed on yet count as
    /// dropped, and the assembler starts over at `number`.
    public mutating func skip(to number: UInt32) {
        if let n = next {
            let behind = number &- n
            if behind < 1 << 31 { counters.dropped += Int(behind) }
        }
        reset()
    }

    public mutating func reset() {
        frames.removeAll()
        bytesInFlight = 0
        next = nil
        deliveredAny = false
    }
}
