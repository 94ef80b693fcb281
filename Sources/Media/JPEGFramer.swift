/// Cuts a byte stream of concatenated JPEGs (what `ffmpeg -f mjpeg -` writes, or the parts of an MJPEG body)
/// into whole JPEGs, incrementally and with a bounded buffer.
///
/// A JPEG is framed by its markers: SOI, then marker segments whose lengths are followed (so an `FFD9` inside an
/// EXIF thumbnail or a comment does not end the frame), then after SOS the entropy-coded data, where `FF00` is a
/// stuffed byte, `FFD0`...`FFD7` restart markers and `FFFF` fill, up to EOI. Progressive JPEGs (segments between
/// scans) are followed too. A frame longer than `maxFrameBytes`, or one broken by a marker that cannot be there,
/// is dropped whole and counted, and the framer resynchronises on the next SOI.
public struct JPEGFramer: Sendable {
    /// Default for `maxFrameBytes`: the largest frame of protocol version 1.
    public static let defaultMaxFrameBytes = 1 << 20

    /// Largest JPEG handed out; longer ones are dropped whole (counted in `oversizeFrames`).
    public let maxFrameBytes: Int
    /// JPEGs handed out.
    public private(set) var frames = 0
    /// JPEGs dropped for being longer than `maxFrameBytes`.
    public private(set) var oversizeFrames = 0
    /// JPEGs dropped for a marker that cannot be where it is, or cut off by the end of the source.
    public private(set) var brokenFrames = 0
    /// Bytes not handed out in a JPEG: garbage between JPEGs and the bytes of dropped ones.
    public private(set) var droppedBytes = 0

    private enum Phase { case seeking, segments, entropy }

    private var buffer: [UInt8] = []
    /// Start of the current JPEG, or of the bytes not yet dropped while seeking.
    private var start = 0
    /// Next byte to look at.
    private var scan = 0
    private var phase = Phase.seeking
    private var sawScan = false

    public init(maxFrameBytes: Int = JPEGFramer.defaultMaxFrameBytes) {
        precondition(maxFrameBytes >= 4, "a JPEG has at least SOI and EOI")
        self.maxFrameBytes = maxFrameBytes
    }

    /// Bytes held: the JPEG being read and what is not looked at yet.
    public var buffered: Int { buffer.count - start }

    /// Appends bytes read from the source. Drain with `nextFrame` after each call: the framer then holds at most
    /// one JPEG (at most `maxFrameBytes`) plus one read.
    public mutating func receive(_ bytes: ArraySlice<UInt8>) {
        compact()
        buffer.append(contentsOf: bytes)
    }

    /// Appends bytes read from the source.
    public mutating func receive(_ bytes: [UInt8]) { receive(bytes[...]) }

    /// The next whole JPEG, or nil until more bytes arrive.
    public mutating func nextFrame() -> [UInt8]? {
        while true {
            let progress: Step
            switch phase {
            case .seeking: progress = seek()
            case .segments: progress = readSegment()
            case .entropy: progress = readEntropy()
            }
            switch progress {
            case .needMore: return nil
            case .moved: continue
            case .frame(let end) where end - start > maxFrameBytes:
                oversizeFrames += 1
                droppedBytes += end - start
                start = end
                scan = end
                phase = .seeking
            case .frame(let end):
                let frame = Array(buffer[start..<end])
                frames += 1
                start = end
                scan = end
                phase = .seeking
                return frame
            }
        }
    }

    /// The source ended: a JPEG cut off is counted as broken, and the framer starts afresh.
    public mutating func finish() {
        if phase != .seeking { brokenFrames += 1 }
        droppedBytes += buffered
        buffer = []
        start = 0
        scan = 0
        phase = .seeking
    }

    private enum Step { case needMore, moved, frame(end: Int) }

    /// Looks for SOI (`FFD8`); everything before it is garbage.
    private mutating func seek() -> Step {
        while scan + 1 < buffer.count {
            if buffer[scan] == 0xFF, buffer[scan + 1] == 0xD8 {
                droppedBytes += scan - start
                start = scan
                scan += 2
                phase = .segments
                sawScan = false
                return .moved
            }
            scan += 1
        }
        droppedBytes += scan - start
        start = scan
        return .needMore
    }

    /// Reads one marker (after any fill bytes) and, if it has one, its segment.
    private mutating func readSegment() -> Step {
        guard scan < buffer.count else { return .needMore }
        guard buffer[scan] == 0xFF else { return drop(brokenAt: scan) }
        var marker = scan + 1
        while marker < buffer.count, buffer[marker] == 0xFF { marker += 1 }
        if marker - start > maxFrameBytes { return drop(oversizeAt: marker) }
        guard marker < buffer.count else { return .needMore }
        switch buffer[marker] {
        case 0xD8: return drop(brokenAt: marker - 1)
        case 0xD9: return sawScan ? .frame(end: marker + 1) : drop(brokenAt: marker + 1)
        case 0x00: return drop(brokenAt: marker)
        case 0x01, 0xD0...0xD7:
            scan = marker + 1
            return .moved
        default: return skipSegment(marker: marker)
        }
    }

    /// Skips the segment whose marker byte is at `marker`, by its length.
    private mutating func skipSegment(marker: Int) -> Step {
        guard marker + 2 < buffer.count else { return .needMore }
        let length = Int(buffer[marker + 1]) << 8 | Int(buffer[marker + 2])
        guard length >= 2 else { return drop(brokenAt: marker + 1) }
        let end = marker + 1 + length
        if end - start > maxFrameBytes { return drop(oversizeAt: min(end, buffer.count)) }
        guard end <= buffer.count else { return .needMore }
        // A scan header names 1...4 components in 6 + 2n bytes: a JPEG cut off before it would otherwise swallow
        // the next one's SOI as its header.
        if buffer[marker] == 0xDA, !(1...4).contains(buffer[marker + 3]) || length != 6 + 2 * Int(buffer[marker + 3]) {
            return drop(brokenAt: marker + 1)
        }
        scan = end
        if buffer[marker] == 0xDA {
            sawScan = true
            phase = .entropy
        }
        return .moved
    }

    /// Walks entropy-coded data up to EOI, or to the marker of the next segment.
    private mutating func readEntropy() -> Step {
        while scan < buffer.count {
            if scan - start >= maxFrameBytes { return drop(oversizeAt: scan) }
            guard buffer[scan] == 0xFF else {
                scan += 1
                continue
            }
            guard scan + 1 < buffer.count else { return .needMore }
            switch buffer[scan + 1] {
            case 0x00, 0xD0...0xD7: scan += 2
            case 0xFF: scan += 1
            case 0xD9: return .frame(end: scan + 2)
            case 0xD8: return drop(brokenAt: scan)
            default:
                phase = .segments
                return .moved
            }
        }
        return .needMore
    }

    /// Drops the current JPEG up to `end` as broken and seeks the next SOI from there.
    private mutating func drop(brokenAt end: Int) -> Step {
        brokenFrames += 1
        return drop(upTo: end)
    }

    /// Drops the current JPEG up to `end` as oversize; its remaining bytes are skipped while seeking.
    private mutating func drop(oversizeAt end: Int) -> Step {
        oversizeFrames += 1
        return drop(upTo: end)
    }

    private mutating func drop(upTo end: Int) -> Step {
        droppedBytes += end - start
        start = end
        scan = end
        phase = .seeking
        return .moved
    }

    private mutating func compact() {
        guard start > 0, start >= buffer.count / 2 else { return }
        buffer.removeSubrange(0..<start)
        scan -= start
        start = 0
    }
}
