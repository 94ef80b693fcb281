import HTTP
import Platform
import Recording
import Wire

/// Serves the recordings of a client that records (`--record DIR`): the listing, the recorder's figures, and each
/// file with HTTP Range requests, sent by `FileSendConnection` (sendfile, bounded per turn) so a large file never
/// sits in memory and a fast reader never holds the event loop. A client that does not record answers 404.
public final class RecordingFiles {
    /// Bounds (docs/RECORDINGS.md).
    public struct Limits: Sendable {
        /// Files being sent at once; one more is answered 503.
        public var maxSenders = 64
        /// Bytes sent to one reader per event-loop turn.
        public var perTurn = 1 << 20
        /// A reader that takes no byte for this long is closed, µs.
        public var stallTimeout: Int64 = 20_000_000
        public init() {}
    }

    /// The recordings folder and the recorder's figures, when the client records.
    public struct Source {
        public var root: String
        public var figures: () -> RecorderFigures
        public init(root: String, figures: @escaping () -> RecorderFigures) {
            self.root = root
            self.figures = figures
        }
    }

    public var source: Source?
    let limits: Limits
    let log: Logger
    private(set) var senders: [Int32: FileSendConnection] = [:]
    /// Ranges decided when a head was written, taken when its connection is handed over (by path and Range field).
    private var pending: [String: [ClosedRange<Int64>]] = [:]
    /// Requests for a file, and those with a Range field (206), since the start.
    public private(set) var fileRequests = 0
    public private(set) var rangeRequests = 0
    public private(set) var bytesSent: Int64 = 0

    init(limits: Limits = Limits(), log: Logger) {
        self.limits = limits
        self.log = log
    }

    var readDescriptors: [Int32] { Array(senders.keys) }
    var writeDescriptors: [Int32] { senders.filter { $0.value.wantsWrite }.map(\.key) }

    func respond(_ route: RecordingRoute, _ r: HTTPRequest) -> HTTPResponse {
        guard let source else { return .text(404, "this client does not record (start it with --record DIR)\n") }
        switch route {
        case .listing:
            let open = Set(source.figures().openFiles.values)
            let json = RecordingListing.json(RecordingIndex.scanWithDurations(source.root), open: open)
            return HTTPResponse(status: 200, contentType: "application/json", body: Array(json.utf8), headers: [("Cache-Control", "no-store")])
        case .status:
            return HTTPResponse(status: 200, contentType: "application/json", body: Array(statusJSON().utf8), headers: [("Cache-Control", "no-store")])
        case .refused(let why): return .text(404, why)
        case .file(let path):
            guard let size = RecordingIndex.fileSize(source.root + "/" + path) else { return .text(404, "no recording \(path) (see /recordings.json)\n") }
            fileRequests += 1
            if r.headers["Range"] != nil { rangeRequests += 1 }
            let (response, send) = RecordingRoute.fileResponse(range: r.headers["Range"], size: size)
            guard let send, r.method != "HEAD" else { return response }
            guard senders.count < limits.maxSenders else { return .text(503, "too many recordings being read (at most \(limits.maxSenders))\n") }
            pending[key(r), default: []].append(send)
            return response
        }
    }

    private func key(_ r: HTTPRequest) -> String { r.path + "\n" + (r.headers["Range"] ?? "") }

    /// A handed-over connection whose head named a range becomes a sender; false when it is not one of ours.
    func adopt(_ u: HTTPUpgrade, now: Int64) -> Bool {
        guard let source, case .file(let path) = RecordingRoute(path: u.request.path) else { return false }
        var ranges = pending[key(u.request)] ?? []
        // Its range, or (forgotten: see `service`) the same decision again against the size now.
        // (Nothing to send: a range the file does not have ends at once, and closes the connection.)
        let range = (ranges.isEmpty ? Self.range(u.request, size: RecordingIndex.fileSize(source.root + "/" + path) ?? 0) : ranges.removeFirst()) ?? 0...0
        pending[key(u.request)] = ranges.isEmpty ? nil : ranges
        guard let s = FileSendConnection(u, path: source.root + "/" + path, range: range, perTurn: limits.perTurn, now: now) else {
            log.warning("web: \(path) could not be opened to send")
            return true
        }
        senders[u.fd] = s
        log.info("web: \(u.peer?.description ?? "a reader") reads \(path) bytes \(range.lowerBound)-\(range.upperBound)")
        return true
    }

    private static func range(_ r: HTTPRequest, size: Int64) -> ClosedRange<Int64>? {
        RecordingRoute.fileResponse(range: r.headers["Range"], size: size).send
    }

    func service(ready: Set<Int32>, now: Int64) {
        for (fd, s) in senders {
            if ready.contains(fd) { s.readAndDiscard() }
            if s.wantsWrite { s.flush(now: now) }
            s.expire(now: now, stallTimeout: limits.stallTimeout)
            guard let why = s.endReason else { continue }
            bytesSent += s.sentBytes
            senders[fd] = nil
            log.info("web: reader of \(s.request.path) left: \(why)")
        }
        // Ranges whose connection never came (the reader left before its head was written) are forgotten.
        if pending.values.reduce(0, { $0 + $1.count }) > limits.maxSenders { pending = [:] }
    }

    func closeAll() {
        for s in senders.values { s.end("client leaving") }
        senders = [:]
    }

    /// `/api/recorder`: what is being recorded, bytes written, frames recorded and dropped per stream, and what
    /// was served.
    public func statusJSON(typed: Bool = false) -> String {
        guard let source else { return typed ? "{\"type\":\"recorder\",\"recording\":false}" : "{\"recording\":false}" }
        return RecorderStatus.json(source.figures(), root: source.root, served: (fileRequests, rangeRequests, bytesSent + senders.values.reduce(0) { $0 + $1.sentBytes }), type: typed)
    }
}
