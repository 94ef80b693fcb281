/// Cuts a live MP3 byte stream (a pipe, a FIFO, an Icecast body) into whole, validated frames, incrementally and
/// with a bounded buffer.
///
/// Feed bytes with `receive`, then call `nextFrame` until it returns nil. A candidate frame is confirmed by the
/// header that follows it (as `MP3Frames` does), even in sync: a frame cut short by a glitch in the source is then
/// dropped instead of being sent with the start of the next one glued on. That costs one frame of delay (26 ms
/// at 44.1 kHz), well under the ~100 ms of frames a producer gathers into one chunk anyway. ID3v2 tags (at the start, or between concatenated files) are skipped without being buffered, however long.
public struct MP3StreamFramer: Sendable {
    /// Default for `maxBuffered`: many frames (the longest is 2881 bytes) and one large read.
    public static let defaultMaxBuffered = 65_536

    /// Most undrained bytes held; beyond it the oldest are dropped (counted in `overflowBytes`). Draining after
    /// each `receive` of at most this many bytes never drops anything.
    public let maxBuffered: Int
    /// Frames handed out.
    public private(set) var frames = 0
    /// Bytes skipped because no validated frame covered them.
    public private(set) var garbageBytes = 0
    /// Bytes of ID3 tags skipped.
    public private(set) var tagBytes = 0
    /// Bytes dropped because the caller fed more than `maxBuffered` without draining.
    public private(set) var overflowBytes = 0

    private var buffer: [UInt8] = []
    private var head = 0
    private var tagRemaining = 0

    public init(maxBuffered: Int = MP3StreamFramer.defaultMaxBuffered) {
        precondition(maxBuffered >= 2 * MP3FrameHeader.maxFrameLength, "the buffer must hold two frames")
        self.maxBuffered = maxBuffered
    }

    /// Bytes held, waiting for the rest of a frame.
    public var buffered: Int { buffer.count - head }

    /// Appends bytes read from the source.
    public mutating func receive(_ bytes: ArraySlice<UInt8>) {
        var bytes = bytes
        let skipped = min(tagRemaining, bytes.count)
        if skipped > 0 {
            tagRemaining -= skipped
            tagBytes += skipped
            bytes = bytes.dropFirst(skipped)
        }
        compact()
        buffer.append(contentsOf: bytes)
        let excess = buffered - maxBuffered
        if excess > 0 {
            head += excess
            overflowBytes += excess
        }
    }

    /// Appends bytes read from the source.
    public mutating func receive(_ bytes: [UInt8]) { receive(bytes[...]) }

    /// The next whole frame, or nil until more bytes arrive.
    public mutating func nextFrame() -> [UInt8]? {
        while head < buffer.count {
            if skipTag() { continue }
            let view = buffer[head...]
            if case .needMore = ID3Tag.probeV2(view, at: head) { return nil }
            guard view.count >= MP3FrameHeader.size else { return nil }
            guard let header = try? MP3FrameHeader(view, at: head) else {
                skipGarbage()
                continue
            }
            switch confirm(header, in: view) {
            case .needMore: return nil
            case .rejected: skipGarbage()
            case .accepted:
                let frame = Array(view[head..<head + header.frameLength])
                head += header.frameLength
                frames += 1
                return frame
            }
        }
        return nil
    }

    /// The source ended: the frames still held (the last one may end exactly at the end), the rest counted as
    /// garbage. The framer starts afresh afterwards.
    public mutating func finish() -> [[UInt8]] {
        let rest = buffer[head...]
        let found = MP3Frames.frames(in: rest)
        let covered = found.reduce(0) { $0 + $1.count }
        garbageBytes += rest.count - covered
        frames += found.count
        let result = found.map { Array(rest[$0]) }
        buffer = []
        head = 0
        tagRemaining = 0
        return result
    }

    private enum Verdict { case accepted, rejected, needMore }

    /// Whether the frame `header` starts at `head` is whole and confirmed by what follows it.
    private func confirm(_ header: MP3FrameHeader, in view: ArraySlice<UInt8>) -> Verdict {
        let end = head + header.frameLength
        guard end + MP3FrameHeader.size <= view.endIndex else { return .needMore }
        if let next = try? MP3FrameHeader(view, at: end), next.isConsistent(with: header) { return .accepted }
        if ID3Tag.startsV1(view, at: end) { return .accepted }
        switch ID3Tag.probeV2(view, at: end) {
        case .tag: return .accepted
        case .needMore: return .needMore
        case .none: return .rejected
        }
    }

    /// Skips an ID3v2 tag at `head`, or the rest of one; true if it did.
    private mutating func skipTag() -> Bool {
        if tagRemaining == 0, case .tag(let length) = ID3Tag.probeV2(buffer[head...], at: head) {
            tagRemaining = length
        } else if tagRemaining == 0, ID3Tag.startsV1(buffer[head...], at: head) {
            tagRemaining = ID3Tag.v1Size
        }
        guard tagRemaining > 0 else { return false }
        let skipped = min(tagRemaining, buffered)
        head += skipped
        tagRemaining -= skipped
        tagBytes += skipped
        return true
    }

    private mutating func skipGarbage() {
        head += 1
        garbageBytes += 1
    }

    private mutating func compact() {
        guard head > 0, head >= buffer.count / 2 else { return }
        buffer.removeSubrange(0..<head)
        head = 0
    }
}
