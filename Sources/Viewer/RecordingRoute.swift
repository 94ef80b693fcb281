import HTTP
import Recording

/// The recordings' URLs (docs/RECORDINGS.md, "Playback"): `/recordings.json`, `/recordings/<ID>/<file>.mkv` and
/// `/api/recorder`. A file's path is only ever the one `RecordingName.validatedPath` gives back, so nothing a
/// request names reaches the filesystem unchecked. Pure: the answers to a size and a Range are decided here.
public enum RecordingRoute: Equatable, Sendable {
    case listing
    case status
    /// `<ID>/<file>`, checked.
    case file(String)
    /// Under `/recordings/` but not a recording's name: the one-line reason.
    case refused(String)

    static let prefix = "/recordings/"

    /// nil: not a recordings URL.
    public init?(path: String) {
        switch path {
        case "/recordings.json": self = .listing
        case "/api/recorder": self = .status
        case _ where path.hasPrefix(Self.prefix):
            let rest = path.dropFirst(Self.prefix.count).split(separator: "/", omittingEmptySubsequences: false)
            guard rest.count == 2, let p = RecordingName.validatedPath(producer: String(rest[0]), file: String(rest[1])) else {
                self = .refused("a recording is /recordings/<ID>/<YYYYMMDDTHHMMSSZ>.mkv (ID: 6 hex digits; see /recordings.json)\n")
                return
            }
            self = .file(p)
        default: return nil
        }
    }

    public static let contentType = "video/x-matroska"

    /// The answer to a request for a file of `size` bytes with an optional `Range` field: a 416, a HEAD's head, or a
    /// streaming head with the byte range its new owner is to send.
    public static func fileResponse(range header: String?, size: Int64) -> (response: HTTPResponse, send: ClosedRange<Int64>?) {
        let common = [("Accept-Ranges", "bytes"), ("Cache-Control", "no-cache"), ("X-Content-Type-Options", "nosniff")]
        let range = HTTPByteRange(header, size: size)
        switch range {
        case .unsatisfiable:
            return (HTTPResponse(status: 416, body: Array("the range starts past the end (\(size) bytes)\n".utf8), headers: common + [("Content-Range", "bytes */\(size)")]), nil)
        case .full, .partial:
            let bytes: ClosedRange<Int64>? = if case .partial(let r) = range { r } else { size > 0 ? 0...(size - 1) : nil }
            guard let bytes else {
                return (HTTPResponse(status: 200, contentType: contentType, headers: common), nil)
            }
            var headers = common
            if case .partial = range { headers.append(("Content-Range", "bytes \(bytes.lowerBound)-\(bytes.upperBound)/\(size)")) }
            var r = HTTPResponse(status: range == .full ? 200 : 206, contentType: contentType, headers: headers)
            r.streaming = true
            r.streamLength = bytes.upperBound - bytes.lowerBound + 1
            return (r, bytes)
        }
    }
}
