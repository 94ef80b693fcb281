/// Reads back what `MatroskaSegmentWriter` writes (any Matroska file of SimpleBlocks, in fact), in pieces, so a
/// recording can be replayed from a file of any size: `header` from the file's first bytes, `cues` from the bytes
/// at `Header.cuesOffset`, and `blocks` from a window of the file starting at a cluster (a cue's position, or
/// `Header.bodyStart`), carried on window after window. Every offset is a file offset. Reading never traps and
/// never reads past the bytes given: a file cut anywhere gives its whole blocks and stops.
public enum MatroskaReader {
    /// What a file's start says.
    public struct Header: Sendable, Equatable {
        /// Track number -> CodecID (`V_MJPEG`, `A_MPEG/L3`).
        public var tracks: [Int: String] = [:]
        /// Nanoseconds per timestamp unit (1,000,000 in the files written here).
        public var timestampScale: UInt64 = 1_000_000
        public var durationMillis: Double?
        /// DateUTC as microseconds since the Unix epoch: the capture time of timestamp 0.
        public var startMicros: UInt64?
        /// Where the Cues are (from the SeekHead), for a finished file.
        public var cuesOffset: Int?
        /// Where the first Cluster starts, when the bytes given reach it.
        public var bodyStart: Int?
        public var segmentDataStart = 0
    }

    /// One frame: its track, its time in milliseconds from the file's start, where its bytes are in the file.
    public struct Block: Sendable, Equatable {
        public var track: Int
        public var timeMillis: Int64
        public var data: Range<Int>
        public var keyframe: Bool
    }

    /// A seek point: a time and the file offset of the cluster that holds it.
    public struct CuePoint: Sendable, Equatable {
        public var timeMillis: Int64
        public var clusterOffset: Int
    }

    /// Where a `blocks` call stopped: the file offset to read the next window from, the timestamp of the cluster
    /// being read, and whether the segment's body ended (Cues or an element that cannot be read).
    public struct Position: Sendable, Equatable {
        public var offset: Int
        public var clusterMillis: Int64?
        public var ended = false

        public init(offset: Int, clusterMillis: Int64? = nil) {
            self.offset = offset
            self.clusterMillis = clusterMillis
        }
    }

    typealias E = MatroskaElement

    /// The header, from the file's first bytes (`MatroskaDurationReader.headerBytes` are enough for the files
    /// written here); nil when they are not a Matroska file.
    public static func header(_ b: [UInt8]) -> Header? {
        guard let ebml = EBMLElementHeader.read(b, at: 0), ebml.id == E.ebml.id, let afterEBML = ebml.end,
            let segment = EBMLElementHeader.read(b, at: afterEBML), segment.id == E.segment.id
        else { return nil }
        var h = Header()
        h.segmentDataStart = segment.dataStart
        var i = segment.dataStart
        while let e = EBMLElementHeader.read(b, at: i) {
            if e.id == E.cluster.id {
                h.bodyStart = i
                break
            }
            guard let end = e.end, end <= b.count else { break }
            switch e.id {
            case E.seekHead.id: readSeekHead(b, e, into: &h)
            case E.info.id: readInfo(b, e, into: &h)
            case E.tracks.id: readTracks(b, e, into: &h)
            default: break
            }
            i = end
        }
        return h
    }

    /// The children of a master element whose data lies within `b`.
    static func children(_ b: [UInt8], _ parent: EBMLElementHeader) -> [EBMLElementHeader] {
        guard let end = parent.end, end <= b.count else { return [] }
        var out: [EBMLElementHeader] = []
        var i = parent.dataStart
        while i < end, let c = EBMLElementHeader.read(b, at: i), let cEnd = c.end, cEnd <= end {
            out.append(c)
            i = cEnd
        }
        return out
    }

    static func readSeekHead(_ b: [UInt8], _ e: EBMLElementHeader, into h: inout Header) {
        for seek in children(b, e) where seek.id == E.seek.id {
            let parts = children(b, seek)
            guard let idPart = parts.first(where: { $0.id == E.seekID.id }), let posPart = parts.first(where: { $0.id == E.seekPosition.id }),
                let target = idPart.unsigned(b), let position = posPart.unsigned(b), position < 1 << 48
            else { continue }
            if target == UInt64(E.cues.id) { h.cuesOffset = h.segmentDataStart + Int(position) }
        }
    }

    static func readInfo(_ b: [UInt8], _ e: EBMLElementHeader, into h: inout Header) {
        for c in children(b, e) {
            switch c.id {
            case E.timestampScale.id: h.timestampScale = c.unsigned(b) ?? h.timestampScale
            case E.duration.id: h.durationMillis = c.float(b).map { $0 * Double(h.timestampScale) / 1_000_000 }
            case E.dateUTC.id:
                // Nanoseconds since 2001-01-01T00:00:00Z, signed.
                if let raw = c.unsigned(b) {
                    let micros = Int64(bitPattern: raw) / 1000 + 978_307_200_000_000
                    if micros >= 0 { h.startMicros = UInt64(micros) }
                }
            default: break
            }
        }
    }

    static func readTracks(_ b: [UInt8], _ e: EBMLElementHeader, into h: inout Header) {
        for entry in children(b, e) where entry.id == E.trackEntry.id {
            let parts = children(b, entry)
            guard let n = parts.first(where: { $0.id == E.trackNumber.id })?.unsigned(b), n > 0, n < 128,
                let codec = parts.first(where: { $0.id == E.codecID.id }), let end = codec.end
            else { continue }
            h.tracks[Int(n)] = String(decoding: b[codec.dataStart..<end], as: UTF8.self)
        }
    }

    /// The cue points, from bytes of the file starting at `Header.cuesOffset`; nil when they are not Cues or do not
    /// fit in the bytes given.
    public static func cues(_ b: [UInt8], segmentDataStart: Int) -> [CuePoint]? {
        guard let cues = EBMLElementHeader.read(b, at: 0), cues.id == E.cues.id, let end = cues.end, end <= b.count else { return nil }
        var out: [CuePoint] = []
        for point in children(b, cues) where point.id == E.cuePoint.id && out.count < MatroskaSegmentWriter.maxCuePoints {
            let parts = children(b, point)
            guard let time = parts.first(where: { $0.id == E.cueTime.id })?.unsigned(b), time < 1 << 48,
                let positions = parts.first(where: { $0.id == E.cueTrackPositions.id }),
                let cluster = children(b, positions).first(where: { $0.id == E.cueClusterPosition.id })?.unsigned(b), cluster < 1 << 48
            else { continue }
            out.append(CuePoint(timeMillis: Int64(time), clusterOffset: segmentDataStart + Int(cluster)))
        }
        return out
    }

    /// The whole SimpleBlocks in `window` (the file's bytes from `position.offset` on, which is a cluster's start or
    /// where the previous call stopped), and where to go on from. A call that returns `position` unchanged had no
    /// whole element in reach: read a larger window, or stop at the end of the file.
    public static func blocks(_ window: [UInt8], from position: Position) -> (blocks: [Block], next: Position) {
        var out: [Block] = []
        var next = position
        var i = 0
        while let e = EBMLElementHeader.read(window, at: i) {
            if e.id == E.cluster.id {  // stepped into, whatever its size (unknown while it was being written)
                i = e.dataStart
                next = Position(offset: position.offset + i)
                continue
            }
            guard e.id != E.cues.id, let end = e.end else {
                next.ended = true
                return (out, next)
            }
            guard end <= window.count else { return (out, next) }
            if e.id == E.timestamp.id {
                next.clusterMillis = e.unsigned(window).map { Int64(min($0, 1 << 48)) }
            } else if e.id == E.simpleBlock.id, let cluster = next.clusterMillis, let b = block(window, e, cluster: cluster, base: position.offset) {
                out.append(b)
            }
            i = end
            next.offset = position.offset + i
        }
        return (out, next)
    }

    /// A SimpleBlock's header: track number (a vint), 16-bit relative timestamp, flags (RFC 9559 §10.2).
    static func block(_ w: [UInt8], _ e: EBMLElementHeader, cluster: Int64, base: Int) -> Block? {
        let s = e.dataStart
        guard let end = e.end, s + 4 <= end, w[s] & 0x80 != 0 else { return nil }  // one-byte track numbers only
        let track = Int(w[s] & 0x7F)
        let relative = Int16(bitPattern: UInt16(w[s + 1]) << 8 | UInt16(w[s + 2]))
        let flags = w[s + 3]
        guard flags & 0x06 == 0 else { return nil }  // laced blocks are not written here
        return Block(track: track, timeMillis: cluster + Int64(relative), data: base + s + 4..<base + end, keyframe: flags & 0x80 != 0)
    }
}
