import HTTP
import Platform
import ProducerCore
import Wire

/// Reads one live source (standard input, a FIFO, a growing file, an HTTP stream) on a thread of its own, so a
/// slow or silent source never delays heartbeats or the other producers of the process. It cuts the bytes into
/// frames, hands them to the event loop through a `LiveFeed` with their arrival as capture time, says when the
/// source comes online and goes offline (ended, stalled, refused), and opens it again with a backoff.
final class LiveSource: @unchecked Sendable {
    /// Bytes read at once.
    static let readBytes = 16_384
    /// A source that sends nothing for this long is stalled: its stream goes offline and it is opened again.
    static let stallMicros: Int64 = 5_000_000
    /// How often a regular file at its end is looked at again for new bytes.
    static let filePollMicros: Int64 = 20_000
    /// Drops are logged at most this often.
    static let dropLogInterval: Int64 = 5_000_000

    let address: MediaSourceAddress
    let media: LiveFramer.Media
    /// The setting and the source, as log lines name it: `FRAMES http://cam/video.mjpg`.
    let name: String
    let log: Logger
    let feed = LiveFeed()
    let maxFrameBytes: Int
    private var online = false
    private var loggedDrops = LiveFramer.Drops()
    private var lastDropLog: Int64 = 0

    init(address: MediaSourceAddress, media: LiveFramer.Media, setting: String, maxFrameBytes: Int, log: Logger) {
        self.address = address
        self.media = media
        self.maxFrameBytes = maxFrameBytes
        self.log = log
        name = "\(setting) \(Self.describe(address))"
    }

    static func describe(_ address: MediaSourceAddress) -> String {
        switch address {
        case .folder(let path), .file(let path): path
        case .standardInput: "- (standard input)"
        case .http(let url): url.description
        }
    }

    func start() -> PosixThread { PosixThread { self.run() } }

    private func run() {
        var backoff = RetryBackoff()
        var lastReason = ""
        while true {
            let reason = readOnce(&backoff)
            setOffline()
            if case .standardInput = address {
                log.warning("\(name): \(reason); the stream stays offline (standard input cannot be opened again)")
                return
            }
            let wait = backoff.next()
            // The same failure again and again (a camera that stays down) is said once, then again when it changes.
            if reason != lastReason {
                log.warning(
                    "\(name): \(reason); stream offline, retrying (every \(wait / 1000) ms at first, up to \(RetryBackoff.defaultMaximum / 1_000_000) s)"
                )
            }
            lastReason = reason
            Clock.sleepMicros(wait)
        }
    }

    /// Opens the source and reads it until it ends or fails; returns why it stopped.
    private func readOnce(_ backoff: inout RetryBackoff) -> String {
        do throws(LiveSourceFailure) {
            switch address {
            case .standardInput:
                return pump(ByteSource.standardInput(), framer: LiveFramer(media: media, maxFrameBytes: maxFrameBytes), http: nil, &backoff)
            case .file(let path), .folder(let path):
                let source: ByteSource
                do { source = try ByteSource.open(path) } catch { throw LiveSourceFailure(reason: "\(error)") }
                defer { source.close() }
                return pump(source, framer: LiveFramer(media: media, maxFrameBytes: maxFrameBytes), http: nil, &backoff)
            case .http(let url):
                let opened = try HTTPSource.open(url, media: media, maxFrameBytes: maxFrameBytes)
                defer { opened.source.close() }
                return pump(opened.source, framer: opened.framer, http: opened.parser, &backoff)
            }
        } catch {
            return error.reason
        }
    }

    /// Reads until the source ends, stalls or fails.
    private func pump(_ source: ByteSource, framer: LiveFramer, http: HTTPResponseParser?, _ backoff: inout RetryBackoff) -> String {
        var framer = framer
        var http = http
        var lastByte = Clock.now()
        var offset = 0
        defer { finish(&framer) }
        if http != nil, let reason = deliverHTTP([], &http, &framer, &backoff) { return reason }
        while true {
            let wait = source.isRegularFile ? 0 : max(1, lastByte + Self.stallMicros - Clock.now())
            switch source.read(maxBytes: Self.readBytes, timeoutMicros: wait) {
            case .bytes(let bytes):
                lastByte = Clock.now()
                offset += bytes.count
                if http != nil {
                    if let reason = deliverHTTP(bytes, &http, &framer, &backoff) { return reason }
                } else {
                    deliver(framer.receive(bytes[...], arrival: Clock.wallMicros()), &backoff)
                }
                logDrops(framer.drops)
            case .timeout where source.isRegularFile, .end where source.isRegularFile:
                if source.shrank(below: offset) { return "the file was truncated; reading it from the start" }
                if Clock.now() - lastByte > Self.stallMicros { setOffline(saying: "no new bytes for \(Self.stallMicros / 1_000_000) s") }
                Clock.sleepMicros(Self.filePollMicros)
            case .timeout where http == nil:
                // A pipe or FIFO that pauses stays open (closing it would kill its writer with SIGPIPE): its stream
                // is offline until it sends again.
                setOffline(saying: "no bytes for \(Self.stallMicros / 1_000_000) s")
                lastByte = Clock.now()
            case .timeout: return "no bytes for \(Self.stallMicros / 1_000_000) s"
            case .end: return "the source ended"
            case .failed(let error): return "\(error)"
            }
        }
    }

    /// Feeds bytes of an HTTP body; returns why the response ended, if it did.
    private func deliverHTTP(
        _ bytes: [UInt8], _ http: inout HTTPResponseParser?, _ framer: inout LiveFramer, _ backoff: inout RetryBackoff
    ) -> String? {
        http!.receive(bytes)
        while let event = http!.nextEvent() {
            switch event {
            case .body(let body): deliver(framer.receive(body[...], arrival: Clock.wallMicros()), &backoff)
            case .end: return "the response ended"
            case .error(let error): return "bad response: \(error.reason)"
            case .head: return "bad response: a second head"
            }
        }
        return nil
    }

    private func deliver(_ frames: [LiveFramer.Frame], _ backoff: inout RetryBackoff) {
        guard !frames.isEmpty else { return }
        if !online {
            online = true
            backoff.reset()
            log.info("\(name): online")
            feed.post(.online)
        }
        for frame in frames { feed.post(.frame(frame)) }
    }

    private func finish(_ framer: inout LiveFramer) {
        for frame in framer.finish() where online { feed.post(.frame(frame)) }
        logDrops(framer.drops, force: true)
        loggedDrops = LiveFramer.Drops()
    }

    private func setOffline(saying reason: String? = nil) {
        guard online else { return }
        online = false
        if let reason { log.warning("\(name): \(reason); stream offline until it sends again") }
        feed.post(.offline)
    }

    /// Says what was dropped since the last such line, at most every `dropLogInterval`.
    private func logDrops(_ drops: LiveFramer.Drops, force: Bool = false) {
        let now = Clock.now()
        guard drops != loggedDrops, force || now - lastDropLog >= Self.dropLogInterval else { return }
        lastDropLog = now
        loggedDrops = drops
        let unit = media == .jpeg ? "JPEGs" : "MP3 frames"
        log.warning(
            "\(name): dropped so far: \(drops.oversizeFrames) oversize and \(drops.brokenFrames) broken \(unit), "
                + "\(drops.droppedParts) bad parts, \(drops.garbageBytes) bytes outside whole frames")
    }
}
