/// Writes one Matroska file (RFC 9559) as a sequence of `FileWrite`s, without any I/O.
///
/// The layout keeps a file playable at every moment: the Segment and each Cluster start with the "unknown" size,
/// so a file cut anywhere (a crash, a full disk) is read up to its last whole block. When a cluster ends its real
/// size is patched in; `finish()` adds the Cues, the Cues' SeekHead entry, the Duration and the Segment's size,
/// all into room reserved at the start, so a finished file has every size known and players seek by the cues.
///
/// Timestamps are the producer's capture times (wall-clock microseconds) relative to `startMicros`, in
/// milliseconds (TimestampScale 1 ms, the Matroska default: every player handles it, and it is far finer than a
/// frame interval; a block's 16-bit relative timestamp then reaches ±32 s, ample for one-second clusters).
public struct MatroskaSegmentWriter: Sendable {
    /// A cluster holds blocks of at most this long after its first one.
    public static let clusterMillis: Int64 = 1000
    /// Cue points kept for `finish()` (one per cluster: 18 hours of one-second clusters); beyond, clusters go uncued.
    public static let maxCuePoints = 65_536
    /// Bytes reserved after the SeekHead, so the Cues entry fits in at the end.
    static let seekRegionSize = 80
    /// Bytes of the Void in Info that becomes the Duration (ID 2, size 1, float 8).
    static let durationSize = 11

    public let tracks: [MatroskaTrack]
    /// The capture time (wall-clock microseconds since the Unix epoch) at timestamp 0.
    public let startMicros: UInt64
    /// Bytes appended so far: the file's length once every write has been carried out.
    public private(set) var length = 0
    public private(set) var clusterCount = 0
    public private(set) var blockCount = 0
    public private(set) var finished = false
    /// The segment's duration in milliseconds: the end of the first track's latest block (its timestamp plus that
    /// track's last frame interval), or of any track's while the first has none. The first track (video, when
    /// there is one) is the timeline: a one-second MP3 chunk may reach a little past it.
    public var durationMillis: Int64 { ends[tracks[0].number] ?? ends.values.max() ?? 0 }
    var ends: [Int: Int64] = [:]

    let segmentDataStart: Int
    let seekRegionOffset: Int
    let infoPosition: Int
    let tracksPosition: Int
    let durationOffset: Int
    var cluster: (offset: Int, millis: Int64)?
    var cues: [(millis: Int64, track: Int, position: Int)] = []
    var lastMillis: [Int: Int64] = [:]

    /// The writer and the file's first bytes (EBML header, Segment start, SeekHead, Info, Tracks).
    public init(tracks: [MatroskaTrack], startMicros: UInt64, app: String) {
        precondition(!tracks.isEmpty, "a recording has at least one track")
        self.tracks = tracks
        self.startMicros = startMicros
        typealias E = MatroskaElement
        let ebml = E.ebml.master([
            E.ebmlVersion.uint(1), E.ebmlReadVersion.uint(1), E.ebmlMaxIDLength.uint(4), E.ebmlMaxSizeLength.uint(8),
            E.docType.string("matroska"), E.docTypeVersion.uint(4), E.docTypeReadVersion.uint(2),
        ])
        let segmentStart = E.segment.openUnknownSize()
        segmentDataStart = ebml.count + segmentStart.count
        seekRegionOffset = segmentDataStart
        infoPosition = Self.seekRegionSize
        // 2001-01-01T00:00:00Z is 978307200 s after the Unix epoch.
        let dateNanos = (Int64(startMicros) - 978_307_200_000_000) * 1000
        let info = E.info.master([
            E.timestampScale.uint(1_000_000), E.muxingApp.string(app), E.writingApp.string(app), E.dateUTC.encode(date: dateNanos),
            E.voidFilling(Self.durationSize),
        ])
        durationOffset = segmentDataStart + infoPosition + info.count - Self.durationSize
        tracksPosition = infoPosition + info.count
        let trackBytes = E.tracks.master(tracks.map(\.entry))
        header = ebml + segmentStart + Self.seekRegion(info: infoPosition, tracks: tracksPosition, cues: nil) + info + trackBytes
        length = header.count
    }

    /// The bytes `init` produced, to be written first.
    public let header: [UInt8]

    /// The SeekHead (Info, Tracks, and Cues once known) and a Void filling the reserved room.
    static func seekRegion(info: Int, tracks: Int, cues: Int?) -> [UInt8] {
        typealias E = MatroskaElement
        var targets = [(E.info, info), (E.tracks, tracks)]
        if let c = cues { targets.append((E.cues, c)) }
        let head = E.seekHead.master(
            targets.map { el, pos in
                E.seek.master([E.seekID.encode(data: EBMLVarInt.idBytes(el.id)), E.seekPosition.uint(UInt64(pos), width: 8)])
            })
        return head + E.voidFilling(Self.seekRegionSize - head.count)
    }

    /// One frame of `track` as a keyframe SimpleBlock (every JPEG and every MP3 chunk stands alone), preceded by
    /// a new cluster when the current one spans a second.
    public mutating func append(track: Int, frame: [UInt8], captureMicros: UInt64) throws(MatroskaError) -> [FileWrite] {
        precondition(!finished, "append after finish")
        precondition(tracks.contains { $0.number == track }, "unknown track \(track)")
        guard captureMicros >= startMicros else { throw .beforeSegmentStart(captureMicros: captureMicros, startMicros: startMicros) }
        let millis = Int64((captureMicros - startMicros + 500) / 1000)
        var writes: [FileWrite] = []
        var out: [UInt8] = []
        if cluster == nil || millis - cluster!.millis >= Self.clusterMillis || millis - cluster!.millis < Int64(Int16.min) {
            if let p = closeCluster() { writes.append(p) }
            cluster = (length, millis)
            clusterCount += 1
            if cues.count < Self.maxCuePoints { cues.append((millis, track, length - segmentDataStart)) }
            out = MatroskaElement.cluster.openUnknownSize() + MatroskaElement.timestamp.uint(UInt64(millis))
        }
        let relative = Int16(millis - cluster!.millis)
        let blockHeader =
            EBMLVarInt.encode(UInt64(track)) + [
                UInt8(truncatingIfNeeded: UInt16(bitPattern: relative) >> 8), UInt8(truncatingIfNeeded: relative), 0x80,
            ]
        out += EBMLVarInt.idBytes(MatroskaElement.simpleBlock.id) + EBMLVarInt.encode(UInt64(blockHeader.count + frame.count)) + blockHeader + frame
        writes.append(.append(out))
        length += out.count
        blockCount += 1
        // Gaps (a producer offline) are not how long a frame lasts: intervals over two seconds are not counted.
        let interval = lastMillis[track].map { millis - $0 }.flatMap { (0...2000).contains($0) ? $0 : nil } ?? 0
        lastMillis[track] = millis
        ends[track] = max(ends[track] ?? 0, millis + interval)
        return writes
    }

    /// The real size of the open cluster, written over its unknown size.
    mutating func closeCluster() -> FileWrite? {
        guard let c = cluster else { return nil }
        cluster = nil
        let idLength = EBMLVarInt.idBytes(MatroskaElement.cluster.id).count
        return .patch(offset: c.offset + idLength, bytes: EBMLVarInt.encode(UInt64(length - c.offset - idLength - 8), width: 8))
    }

    /// Closes the segment: the last cluster's size, the Cues, their SeekHead entry, the Duration, the Segment's size.
    public mutating func finish() -> [FileWrite] {
        precondition(!finished, "finish twice")
        finished = true
        typealias E = MatroskaElement
        var writes: [FileWrite] = []
        if let p = closeCluster() { writes.append(p) }
        let cuesPosition = length - segmentDataStart
        let points = cues.map { c in
            E.cuePoint.master([
                E.cueTime.uint(UInt64(c.millis)),
                E.cueTrackPositions.master([E.cueTrack.uint(UInt64(c.track)), E.cueClusterPosition.uint(UInt64(c.position))]),
            ])
        }
        let cueBytes = E.cues.master(points)
        writes.append(.append(cueBytes))
        length += cueBytes.count
        writes.append(.patch(offset: seekRegionOffset, bytes: Self.seekRegion(info: infoPosition, tracks: tracksPosition, cues: cuesPosition)))
        writes.append(.patch(offset: durationOffset, bytes: E.duration.float(Double(durationMillis))))
        let segmentSizeOffset = segmentDataStart - 8
        writes.append(.patch(offset: segmentSizeOffset, bytes: EBMLVarInt.encode(UInt64(length - segmentDataStart), width: 8)))
        return writes
    }
}
