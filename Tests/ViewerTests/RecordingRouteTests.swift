import HTTP
import Testing

@testable import Viewer

@Suite struct RecordingRouteTests {
    @Test func routesAndRefusals() {
        #expect(RecordingRoute(path: "/recordings.json") == .listing)
        #expect(RecordingRoute(path: "/api/recorder") == .status)
        #expect(RecordingRoute(path: "/recordings/1AAA99/20261207T035800Z.mkv") == .file("1AAA99/20261207T035800Z.mkv"))
        #expect(RecordingRoute(path: "/recordings/1AAA99/20261207T035800Z-2.mkv") == .file("1AAA99/20261207T035800Z-2.mkv"))
        #expect(RecordingRoute(path: "/streams/1AAA99.mjpg") == nil)
        for bad in [
            "/recordings/../etc/passwd", "/recordings/1AAA99/../../x.mkv", "/recordings//etc/passwd", "/recordings/1aaa99/20261207T035800Z.mkv",
            "/recordings/1AAA99/20261207T035800Z.mkv/x", "/recordings/1AAA99/..", "/recordings/1AAA99/20261207T035800Z.mp4", "/recordings/",
        ] {
            guard case .refused = RecordingRoute(path: bad) else {
                Issue.record("\(bad) not refused")
                continue
            }
        }
    }

    private func head(_ r: HTTPResponse) -> String { String(decoding: r.encode(keepAlive: false), as: UTF8.self) }

    @Test func fullFileIs200WithLength() {
        let (r, send) = RecordingRoute.fileResponse(range: nil, size: 1000)
        #expect(r.status == 200 && send == 0...999 && r.streaming)
        let h = head(r)
        #expect(h.contains("Content-Length: 1000\r\n") && h.contains("Accept-Ranges: bytes\r\n") && h.contains("Content-Type: video/x-matroska\r\n"))
        #expect(!h.contains("Content-Range"))
    }

    @Test func rangeIs206WithContentRange() {
        let (r, send) = RecordingRoute.fileResponse(range: "bytes=100-199", size: 1000)
        #expect(r.status == 206 && send == 100...199)
        let h = head(r)
        #expect(h.hasPrefix("HTTP/1.1 206 Partial Content\r\n") && h.contains("Content-Range: bytes 100-199/1000\r\n") && h.contains("Content-Length: 100\r\n"))
        #expect(RecordingRoute.fileResponse(range: "bytes=900-", size: 1000).send == 900...999)
        #expect(RecordingRoute.fileResponse(range: "bytes=-10", size: 1000).send == 990...999)
        #expect(RecordingRoute.fileResponse(range: "bytes=990-5000", size: 1000).send == 990...999)
    }

    @Test func pastTheEndIs416() {
        let (r, send) = RecordingRoute.fileResponse(range: "bytes=1000-", size: 1000)
        #expect(r.status == 416 && send == nil && !r.streaming)
        #expect(head(r).hasPrefix("HTTP/1.1 416 Range Not Satisfiable\r\n") && head(r).contains("Content-Range: bytes */1000\r\n"))
    }

    @Test func emptyFileHasNoBodyToSend() {
        let (r, send) = RecordingRoute.fileResponse(range: nil, size: 0)
        #expect(r.status == 200 && send == nil && !r.streaming)
        #expect(RecordingRoute.fileResponse(range: "bytes=0-", size: 0).response.status == 416)
    }
}
