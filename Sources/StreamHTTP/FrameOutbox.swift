/// The whole frames waiting for one HTTP reader's socket, as pieces that point into buffers shared by every
/// reader (a part header, the frame, a trailer): nothing is copied per reader, and the socket takes them in one
/// gathered write. Bounded in frames and bytes: a frame that does not fit is refused whole (counted), so a slow
/// reader loses whole frames, never part of one, and its memory stays bounded.
public struct FrameOutbox: Sendable {
    public struct Limits: Sendable, Equatable {
        /// Frames queued at most.
        public var maxFrames: Int
        /// Bytes queued at most (a single frame larger than this is still taken into an empty outbox).
        public var maxBytes: Int
        public init(maxFrames: Int = 8, maxBytes: Int = 2 << 20) {
            self.maxFrames = maxFrames
            self.maxBytes = maxBytes
        }
    }

    public let limits: Limits
    private var frames: [Entry] = []
    private var head = 0
    /// Within the first frame: the piece being written and the bytes of it already written.
    private var piece = 0
    private var offset = 0
    public private(set) var queuedBytes = 0
    public private(set) var queuedFrames = 0
    /// Frames refused because the outbox was full.
    public private(set) var dropped = 0
    /// Frames written whole, and all bytes written.
    public private(set) var sentFrames = 0
    public private(set) var sentBytes = 0

    /// One queued thing: a frame's pieces, or control bytes (not counted as a frame).
    private struct Entry: Sendable {
        var pieces: [ArraySlice<UInt8>]
        var isFrame: Bool
    }

    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    public var isEmpty: Bool { queuedFrames == 0 }

    /// Whether a frame of `bytes` would be taken now.
    public func accepts(_ bytes: Int) -> Bool {
        isEmpty || (queuedFrames < limits.maxFrames && queuedBytes + bytes <= limits.maxBytes)
    }

    /// Queues one whole frame made of `pieces`. False (and counted) when it does not fit.
    @discardableResult
    public mutating func push(_ pieces: [ArraySlice<UInt8>]) -> Bool {
        let bytes = pieces.reduce(0) { $0 + $1.count }
        guard accepts(bytes) else {
            dropped += 1
            return false
        }
        push(Entry(pieces: pieces, isFrame: true), bytes: bytes)
        return true
    }

    /// Queues bytes that must go out whatever the backlog (the opening of a response body).
    public mutating func pushControl(_ bytes: [UInt8]) {
        push(Entry(pieces: [bytes[...]], isFrame: false), bytes: bytes.count)
    }

    private mutating func push(_ entry: Entry, bytes: Int) {
        guard bytes > 0 else {
            if entry.isFrame { sentFrames += 1 }
            return
        }
        frames.append(Entry(pieces: entry.pieces.filter { !$0.isEmpty }, isFrame: entry.isFrame))
        queuedBytes += bytes
        queuedFrames += 1
    }

    /// The unwritten pieces, oldest first, at most `max` of them (the first one trimmed by what was written).
    public func pending(max: Int) -> [ArraySlice<UInt8>] {
        var out: [ArraySlice<UInt8>] = []
        var f = head
        var p = piece
        var skip = offset
        while f < frames.count && out.count < max {
            let pieces = frames[f].pieces
            while p < pieces.count && out.count < max {
                let s = pieces[p]
                out.append(s[(s.startIndex + skip)...])
                skip = 0
                p += 1
            }
            f += 1
            p = 0
        }
        return out
    }

    /// Records that the socket took `n` more bytes of `pending`.
    public mutating func consume(_ n: Int) {
        precondition(n <= queuedBytes, "consumed more than queued")
        var left = n
        sentBytes += n
        queuedBytes -= n
        while left > 0 {
            let s = frames[head].pieces[piece]
            let take = min(left, s.count - offset)
            left -= take
            offset += take
            if offset == s.count {
                offset = 0
                piece += 1
                if piece == frames[head].pieces.count { complete() }
            }
        }
    }

    private mutating func complete() {
        if frames[head].isFrame { sentFrames += 1 }
        frames[head].pieces = []
        head += 1
        piece = 0
        queuedFrames -= 1
        if head == frames.count {
            frames.removeAll(keepingCapacity: true)
            head = 0
        } else if head > 64 {
            frames.removeFirst(head)
            head = 0
        }
    }
}
