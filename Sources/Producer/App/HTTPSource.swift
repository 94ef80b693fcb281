import HTTP
import Platform
import ProducerCore
import Wire

/// Why a live source could not be opened or stopped delivering: the text of the log line that names the source.
struct LiveSourceFailure: Error {
    let reason: String
}

/// The HTTP client of live sources: GET with connect and read timeouts, at most `maxRedirects` redirects, bounded
/// headers (`HTTPLimits`), status and content type checked. Blocking, on the source's own thread.
enum HTTPSource {
    /// Redirects followed at most.
    static let maxRedirects = 3
    /// Time to connect, and then to receive the whole response head.
    static let connectTimeout: Int64 = 5_000_000
    static let headTimeout: Int64 = 5_000_000
    /// Bounds on a response head.
    static let limits = HTTPLimits(maxHeaderBytes: 16_384, maxHeaders: 100)

    /// An open response whose body carries `media`: the connection, its parser (which may hold body bytes already)
    /// and the framer for its body.
    struct Opened {
        let source: ByteSource
        var parser: HTTPResponseParser
        var framer: LiveFramer
    }

    static func open(_ start: HTTPSourceURL, media: LiveFramer.Media, maxFrameBytes: Int) throws(LiveSourceFailure) -> Opened {
        var url = start
        for _ in 0...maxRedirects {
            let (source, parser, head) = try request(url)
            if [301, 302, 303, 307, 308].contains(head.status), let location = head.headers["Location"] {
                source.close()
                switch url.following(location) {
                case .success(let next): url = next
                case .failure(let problem): throw LiveSourceFailure(reason: "redirected to '\(location)', which is refused: \(problem.text)")
                }
                continue
            }
            guard head.status == 200 else {
                source.close()
                throw LiveSourceFailure(reason: "\(url) answered \(head.status) \(head.reason)")
            }
            switch LiveFramer.body(of: head, media: media) {
            case .refused(let reason):
                source.close()
                throw LiveSourceFailure(reason: "\(url): \(reason)")
            case .raw:
                return Opened(source: source, parser: parser, framer: LiveFramer(media: media, maxFrameBytes: maxFrameBytes))
            case .multipart(let boundary):
                return Opened(source: source, parser: parser, framer: LiveFramer(media: media, boundary: boundary, maxFrameBytes: maxFrameBytes))
            }
        }
        throw LiveSourceFailure(reason: "more than \(maxRedirects) redirects from \(start)")
    }

    /// Connects, sends the GET and reads the response head.
    private static func request(_ url: HTTPSourceURL) throws(LiveSourceFailure) -> (ByteSource, HTTPResponseParser, HTTPResponseHead) {
        let address: PeerAddress
        do { address = try PeerAddress.resolve(url.hostPort) } catch { throw LiveSourceFailure(reason: "\(url): \(error)") }
        let source: ByteSource
        do {
            source = try ByteSource.connect(to: address, timeoutMicros: connectTimeout)
            let request =
                "GET \(url.target) HTTP/1.1\r\nHost: \(url.hostHeader)\r\nUser-Agent: vbroker-producer\r\nAccept: */*\r\nConnection: close\r\n\r\n"
            try source.write(Array(request.utf8), timeoutMicros: connectTimeout)
        } catch {
            throw LiveSourceFailure(reason: "\(url): \(error)")
        }
        var parser = HTTPResponseParser(limits: limits)
        let deadline = Clock.now() + headTimeout
        while true {
            switch parser.nextEvent() {
            case .head(let head)?: return (source, parser, head)
            case .error(let error)?:
                source.close()
                throw LiveSourceFailure(reason: "\(url): \(error.reason)")
            default: break
            }
            let left = deadline - Clock.now()
            let read = left > 0 ? source.read(maxBytes: 4096, timeoutMicros: left) : .timeout
            switch read {
            case .bytes(let bytes): parser.receive(bytes)
            case .timeout:
                source.close()
                throw LiveSourceFailure(reason: "\(url): no response head within \(headTimeout / 1_000_000) s")
            case .end:
                source.close()
                throw LiveSourceFailure(reason: "\(url): closed before answering")
            case .failed(let error):
                source.close()
                throw LiveSourceFailure(reason: "\(url): \(error)")
            }
        }
    }
}
