import ClientCore
import HTTP
import Media
import Platform
import StreamHTTP
import Wire

/// How the readers are answered and fed: refusals, snapshots, Icecast's head, whole frames into outboxes.
extension StreamReaders {
    static let streamHeaders = [("Cache-Control", "no-store"), ("X-Content-Type-Options", "nosniff"), ("Access-Control-Allow-Origin", "*")]

    /// Why a live stream cannot be read now (unknown id, too many readers), or nil.
    func refusal(_ p: ProducerID, stream: StreamID, peer: PeerAddress?) -> HTTPResponse? {
        guard entries[stream] != nil || latest[stream] != nil else {
            return .text(404, "no \(stream.kind?.description ?? "") stream \(p) in the cluster (see /streams.m3u)\n")
        }
        guard readers.count < limits.maxReaders else {
            refused += 1
            return .text(503, "too many readers (at most \(limits.maxReaders)); try again later\n")
        }
        if let peer, readers.values.filter({ $0.connection.peer.map { Self.sameHost($0, peer) } == true }).count >= limits.maxPerAddress {
            refused += 1
            return .text(503, "too many readers from one address (at most \(limits.maxPerAddress))\n")
        }
        return nil
    }

    static func sameHost(_ a: PeerAddress, _ b: PeerAddress) -> Bool {
        a.isIPv6 == b.isIPv6 && a.high == b.high && a.low == b.low
    }

    /// The latest frame at once; a stream online but not received yet is handed over to wait for its first frame.
    func snapshot(_ p: ProducerID, stream: StreamID) -> HTTPResponse {
        if let l = latest[stream] {
            return HTTPResponse(status: 200, contentType: "image/jpeg", body: l.frame.bytes, headers: Self.snapshotHeaders(l.frame))
        }
        guard let e = entries[stream] else { return .text(404, "no video stream \(p) in the cluster (see /streams.m3u)\n") }
        guard e.state == .online else { return .text(404, "stream \(p) is offline\n") }
        guard readers.count < limits.maxReaders else {
            refused += 1
            return .text(503, "too many readers (at most \(limits.maxReaders)); try again later\n")
        }
        return .handOver()
    }

    static func snapshotHeaders(_ f: CompleteFrame) -> [(String, String)] {
        [("Cache-Control", "no-store"), ("X-Content-Type-Options", "nosniff"), ("Access-Control-Allow-Origin", "*"), ("X-Capture-Time-Us", String(f.captureTime))]
    }

    /// Icecast's head: what radio apps show and whether metadata follows.
    func icecastHeaders(_ p: ProducerID, wantsMetadata: Bool) -> [(String, String)] {
        var h = Self.streamHeaders + [("icy-name", "vbroker \(p)"), ("icy-description", "live audio of producer \(p)"), ("icy-pub", "0")]
        if wantsMetadata { h.append(("icy-metaint", String(limits.metaint))) }
        return h
    }

    /// Queues one frame for one reader, whole or not at all.
    func offer(_ l: Latest, to r: Reader, now: Int64) {
        let f = l.frame
        switch r.route {
        case .mjpeg: r.connection.send(MultipartMJPEG.part(header: l.partHeader, jpeg: f.bytes), now: now)
        case .mp3:
            let audio = MP3Body.frames(of: f.bytes)
            guard var icy = r.icy else {
                r.connection.send(audio, now: now)
                return
            }
            let bytes = audio.reduce(0) { $0 + $1.count }
            guard r.connection.accepts(bytes) else {
                r.connection.send([], now: now)  // refused: counted as a dropped frame
                return
            }
            // The interleaver counts only what went out: a chunk refused here must not move its next block.
            if r.connection.send(audio.flatMap { icy.pieces($0, title: "\(f.stream.producer) live") }, now: now) { r.icy = icy }
        case .ogg: offerOgg(f, to: r, now: now)
        case .snapshot:
            guard r.snapshotDeadline != nil else { return }
            r.snapshotDeadline = nil
            // The head alone (its Content-Length is the frame's), then the shared frame itself.
            let head = HTTPResponse(status: 200, contentType: "image/jpeg", body: f.bytes, headers: Self.snapshotHeaders(f))
            r.connection.send([head.encode(keepAlive: false, headOnly: true)[...], f.bytes[...]], now: now)
        case .playlist, .readers: break
        }
    }

    /// One Opus chunk as Ogg pages; the reader's first chunk opens its Ogg stream with the Opus headers. An
    /// undecodable chunk is skipped (the pages stay a valid stream).
    func offerOgg(_ f: CompleteFrame, to r: Reader, now: Int64) {
        guard let chunk = try? OpusChunk.decode(f.bytes[...]), chunk.channels == 1 || chunk.channels == 2 else { return }
        var muxer = r.ogg ?? OggOpusMuxer(serial: UInt32(truncatingIfNeeded: f.stream.rawValue &* 2_654_435_761 ^ UInt32(r.serial)), channels: chunk.channels)
        guard muxer.channels == chunk.channels else { return }
        let opening = r.ogg == nil ? muxer.headers() : []
        let pages = muxer.pages(chunk.packets)
        // Pages carry this reader's own sequence numbers: queued whole or not at all, the muxer kept only if queued.
        if r.connection.send([(opening + pages)[...]], now: now) { r.ogg = muxer }
    }

    /// A closed reader's counts stay in its stream's figures.
    func absorb(_ r: Reader) {
        var f = figures[r.stream, default: StreamReaderFigures()]
        f.add(r.connection.outbox)
        figures[r.stream] = f
    }

    /// The live streams, one entry per producer, for `/streams.m3u`.
    var playlist: [M3UPlaylist.Entry] {
        var byProducer: [ProducerID: M3UPlaylist.Entry] = [:]
        for e in entries.values where e.state == .online {
            let p = e.stream.producer
            var entry = byProducer[p] ?? M3UPlaylist.Entry(producer: p, hasVideo: false, hasAudio: false, rate: 0)
            switch e.stream.kind {
            case .video:
                entry.hasVideo = true
                entry.rate = Double(e.rateMilli) / 1000
            case .audio: entry.hasAudio = true
            case .opus: entry.hasOpus = true
            case nil: break
            }
            byProducer[p] = entry
        }
        return Array(byProducer.values)
    }

    /// `/api/readers`: per stream, and per open reader (with a `type` field, the page's message).
    func json(type: String? = nil) -> String {
        let q = ViewerMessage.quote
        let streams = currentFigures().sorted { $0.key < $1.key }.map { id, f in
            "{\"stream\":\(q(id.description)),\"kind\":\(q(id.kind?.description ?? "other")),\"readers\":\(f.readers),\"opened\":\(f.opened),"
                + "\"framesSent\":\(f.framesSent),\"bytesSent\":\(f.bytesSent),\"framesDropped\":\(f.framesDropped),\"closedSlow\":\(f.closedSlow)}"
        }
        let open = readers.sorted { $0.key < $1.key }.map { _, r in
            let o = r.connection.outbox
            return "{\"stream\":\(q(r.stream.description)),\"path\":\(q(r.connection.request.path)),\"peer\":\(q(r.connection.peer?.description ?? "")),"
                + "\"framesSent\":\(o.sentFrames),\"bytesSent\":\(o.sentBytes),\"framesDropped\":\(o.dropped),\"queuedBytes\":\(o.queuedBytes)}"
        }
        let head = type.map { "\"type\":\(q($0))," } ?? ""
        return "{\(head)\"streams\":[\(streams.joined(separator: ","))],\"readers\":[\(open.joined(separator: ","))],\"refused\":\(refused)}"
    }
}

/// What the readers of one stream got: counts of closed readers kept, open ones added when asked.
struct StreamReaderFigures {
    var readers = 0
    var opened = 0
    var framesSent = 0
    var bytesSent = 0
    var framesDropped = 0
    var closedSlow = 0

    mutating func add(_ o: FrameOutbox) {
        framesSent += o.sentFrames
        bytesSent += o.sentBytes
        framesDropped += o.dropped
    }
}
