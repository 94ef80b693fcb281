import ClientCore
import HTTP
import Media
import Platform
import StreamHTTP
import Wire

/// The viewer's standard outputs (docs/VIEWER.md, "Players"): every stream of the cluster at
/// `/streams/<ID>.mjpg`, `.jpg` and `.mp3`, and `/streams.m3u`. Readers of a stream share the client's one
/// subscription and one copy of each frame; each has a bounded outbox of whole frames, so a slow player loses
/// whole frames (counted) and one that takes nothing for `stallTimeout` is closed. All of it runs in the client's
/// event loop between datagram turns and never blocks.
public final class StreamReaders {
    struct Limits {
        /// Stream readers (and pending snapshots) at once; one more is answered 503.
        var maxReaders = 512
        /// Readers from one address at once.
        var maxPerAddress = 256
        /// A reader with frames waiting that takes no byte for this long is closed, µs.
        var stallTimeout: Int64 = 10_000_000
        /// A snapshot of a stream not yet received waits this long for its first frame, µs.
        var snapshotWait: Int64 = 3_000_000
        var video = FrameOutbox.Limits(maxFrames: 8, maxBytes: 2 << 20)
        var audio = FrameOutbox.Limits(maxFrames: 16, maxBytes: 512 << 10)
        /// Audio bytes between two ICY metadata blocks.
        var metaint = 16_000
    }

    /// One reader: its connection, what it reads, and for an Icecast client its metadata interleaver.
    final class Reader {
        let connection: StreamReaderConnection
        /// Names the reader's claim on its stream's subscription.
        let serial: Int
        let route: StreamRoute
        let stream: StreamID
        var icy: ICYInterleaver?
        /// For an Ogg reader: its own muxer (pages carry per-reader sequence numbers and granules).
        var ogg: OggOpusMuxer?
        /// A snapshot waiting for its frame, until this deadline.
        var snapshotDeadline: Int64?

        init(_ connection: StreamReaderConnection, serial: Int, route: StreamRoute, stream: StreamID) {
            self.connection = connection
            self.serial = serial
            self.route = route
            self.stream = stream
        }
    }

    /// The newest complete frame of a stream, with its part header (video), shared by every reader.
    struct Latest {
        var frame: CompleteFrame
        var partHeader: [UInt8]
    }

    let limits: Limits
    let log: Logger
    private(set) var readers: [Int32: Reader] = [:]
    private(set) var latest: [StreamID: Latest] = [:]
    var figures: [StreamID: StreamReaderFigures] = [:]
    /// The latest LIST answer: which streams the cluster has, and their state and rate.
    public var entries: [StreamID: ListEntry] = [:]
    var refused = 0
    private var nextSerial = 0

    init(limits: Limits = Limits(), log: Logger) {
        self.limits = limits
        self.log = log
    }

    var readDescriptors: [Int32] { Array(readers.keys) }
    var writeDescriptors: [Int32] { readers.filter { $0.value.connection.wantsWrite }.map(\.key) }
    var nextDeadline: Int64 { readers.values.compactMap(\.snapshotDeadline).min() ?? .max }

    /// Answers a request for a stream route; a live stream (or a snapshot still to come) is handed over.
    func respond(_ route: StreamRoute, _ r: HTTPRequest, peer: PeerAddress?, base: String) -> HTTPResponse {
        switch route {
        case .playlist:
            return HTTPResponse(
                status: 200, contentType: "audio/x-mpegurl", body: Array(M3UPlaylist.render(playlist, base: base).utf8),
                headers: [("Cache-Control", "no-store")])
        case .readers: return HTTPResponse(status: 200, contentType: "application/json", body: Array(json().utf8), headers: [("Cache-Control", "no-store")])
        case .snapshot(let p): return snapshot(p, stream: route.stream!)
        case .mjpeg(let p), .mp3(let p), .ogg(let p):
            if let refusal = refusal(p, stream: route.stream!, peer: peer) { return refusal }
            if case .mjpeg = route {
                return .stream(contentType: MultipartMJPEG.contentType, headers: Self.streamHeaders, opening: MultipartMJPEG.opening)
            }
            if case .ogg = route { return .stream(contentType: "audio/ogg", headers: Self.streamHeaders) }
            return .stream(contentType: "audio/mpeg", headers: icecastHeaders(p, wantsMetadata: r.headers["Icy-MetaData"] == "1"))
        }
    }

    /// A handed-over connection becomes a reader; returns its serial and the stream it needs the client subscribed to.
    func adopt(_ u: HTTPUpgrade, now: Int64) -> (Int, StreamID)? {
        guard let route = StreamRoute(path: u.request.path), let stream = route.stream else { return nil }
        let conn = StreamReaderConnection(u, limits: stream.kind == .video ? limits.video : limits.audio, now: now)
        nextSerial += 1
        let reader = Reader(conn, serial: nextSerial, route: route, stream: stream)
        if case .mp3 = route, u.request.headers["Icy-MetaData"] == "1" { reader.icy = ICYInterleaver(metaint: limits.metaint) }
        readers[u.fd] = reader
        figures[stream, default: StreamReaderFigures()].opened += 1
        if case .snapshot = route {
            reader.snapshotDeadline = now + limits.snapshotWait
        } else if let l = latest[stream] {
            offer(l, to: reader, now: now)
        }
        log.info("web: \(u.peer?.description ?? "a reader") reads \(u.request.path) (\(readers.count) readers)")
        return (nextSerial, stream)
    }

    /// A frame or audio chunk to every reader of its stream.
    func deliver(_ f: CompleteFrame, now: Int64) {
        let header = f.stream.kind == .video ? MultipartMJPEG.partHeader(length: f.bytes.count) : []
        let l = Latest(frame: f, partHeader: header)
        latest[f.stream] = l
        for r in readers.values where r.stream == f.stream { offer(l, to: r, now: now) }
    }

    /// A stream that went offline, or that the client no longer receives, has no latest frame to show.
    public func forget(_ stream: StreamID) { latest[stream] = nil }

    /// Reads, writes and times out; returns the serials of the readers that ended (their claims are the caller's).
    func service(ready: Set<Int32>, now: Int64) -> [Int] {
        var ended: [Int] = []
        for (fd, r) in readers {
            if ready.contains(fd) { r.connection.readAndDiscard() }
            if r.connection.wantsWrite { r.connection.flush(now: now) }
            r.connection.expire(now: now, stallTimeout: limits.stallTimeout)
            if let d = r.snapshotDeadline, now >= d {
                r.connection.send([HTTPResponse.text(504, "no frame of \(r.stream.producer) within \(limits.snapshotWait / 1_000_000) s\n").encode(keepAlive: false)[...]], now: now)
                r.snapshotDeadline = nil
            }
            if case .snapshot = r.route, r.snapshotDeadline == nil, !r.connection.wantsWrite { r.connection.end("snapshot sent") }
            guard let why = r.connection.endReason else { continue }
            readers[fd] = nil
            ended.append(r.serial)
            if why.hasPrefix("too slow") { figures[r.stream, default: StreamReaderFigures()].closedSlow += 1 }
            absorb(r)
            if case .snapshot = r.route {} else { log.info("web: reader of \(r.connection.request.path) left: \(why) (\(readers.count) readers)") }
        }
        return ended
    }

    /// Closes every reader (the client is leaving).
    func closeAll() {
        for r in readers.values { r.connection.end("client leaving") }
        readers = [:]
    }

    /// The figures of a stream, readers still open included.
    func currentFigures() -> [StreamID: StreamReaderFigures] {
        var out = figures
        for r in readers.values {
            var f = out[r.stream, default: StreamReaderFigures()]
            f.readers += 1
            f.add(r.connection.outbox)
            out[r.stream] = f
        }
        return out
    }
}
