/// The frames waiting for one connection's socket, bounded: a frame that may be dropped (a video frame) is
/// refused whole when the backlog is over `dropAbove` bytes, so a slow tab loses whole frames, never parts of them
/// and never memory without bound; anything else is refused once the backlog is over `maxBytes`, and the
/// connection is then closed as too slow.
public struct WebSocketOutbox: Sendable {
    /// Backlog above which droppable frames are refused.
    public let dropAbove: Int
    /// Backlog above which nothing more is taken.
    public let maxBytes: Int
    private var frames: [[UInt8]] = []
    private var head = 0
    /// Bytes of the first frame already written.
    private var written = 0
    public private(set) var queuedBytes = 0
    /// Droppable frames refused because the backlog was over `dropAbove`.
    public private(set) var dropped = 0

    public init(dropAbove: Int = 1 << 20, maxBytes: Int = 4 << 20) {
        precondition(dropAbove <= maxBytes, "dropAbove over maxBytes")
        self.dropAbove = dropAbove
        self.maxBytes = maxBytes
    }

    public var isEmpty: Bool { head == frames.count }

    /// Queues a whole frame. False when refused: a droppable frame over `dropAbove` (counted in `dropped`), or
    /// any frame over `maxBytes` (the caller closes the connection).
    public mutating func push(_ frame: [UInt8], droppable: Bool) -> Bool {
        if droppable && queuedBytes + frame.count > dropAbove && !isEmpty {
            dropped += 1
            return false
        }
        guard queuedBytes + frame.count <= maxBytes || isEmpty else { return false }
        frames.append(frame)
        queuedBytes += frame.count
        return true
    }

    /// The unwritten bytes of the first frame, handed to `write`, which returns how many it wrote.
    public mutating func drain(_ write: (ArraySlice<UInt8>) -> Int) {
        while head < frames.count {
            let n = write(frames[head][written...])
            guard n > 0 else { return }
            written += n
            queuedBytes -= n
            guard written == frames[head].count else { continue }
            frames[head] = []
            head += 1
            written = 0
        }
        frames.removeAll(keepingCapacity: true)
        head = 0
    }
}
