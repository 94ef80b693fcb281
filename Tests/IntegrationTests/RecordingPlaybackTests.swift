import Foundation
import XCTest

/// The recordings served by `client --web --record`: `/recordings.json`, the files with HTTP Range (byte-exact
/// 206, 416), names that are not recordings refused, VLC playing a file from its middle, `/api/recorder`.
final class RecordingPlaybackTests: IntegrationTestCase {
    override func setUpWithError() throws {
        try super.setUpWithError()
        try MediaTool.require()
    }

    /// A viewer that records 1AAA99 into `root` in 20 s segments, with its first file finished.
    func recordingViewer(_ root: URL) throws -> (ViewerCluster, path: String) {
        let v = try startViewer([("1AAA99", 12)], clientExtra: ["--subscribe", "1AAA99", "--record", root.path, "--record-segment-s", "20"])
        var path = ""
        try waitUntil("a finished 20 s recording is listed", timeout: 50) {
            guard let l = try? httpGet(port: v.webPort, path: "/recordings.json"), l.status == 200,
                let json = try? JSONSerialization.jsonObject(with: Data(l.body.utf8)) as? [String: Any],
                let items = json["recordings"] as? [[String: Any]],
                let done = items.first(where: { ($0["recording"] as? Bool) == false && $0["durationMs"] is NSNumber })
            else { return false }
            path = done["path"] as? String ?? ""
            return true
        }
        return (v, path)
    }

    func testRangeRequestsAreByteExactAndNamesAreChecked() throws {
        let root = folder("rec")
        let (v, path) = try recordingViewer(root)
        let file = try Data(contentsOf: root.appendingPathComponent(path))
        let size = file.count
        for (range, first, last) in [("bytes=0-99", 0, 99), ("bytes=1000-", 1000, size - 1), ("bytes=-500", size - 500, size - 1), ("bytes=5-5", 5, 5)] {
            let r = try RawStreamReader(port: v.webPort, path: "/recordings/\(path)", extraHeaders: "Range: \(range)\r\nConnection: close\r\n")
            defer { r.close() }
            let head = try r.readHead()
            XCTAssertEqual(r.status, 206, head)
            XCTAssertTrue(head.contains("Content-Range: bytes \(first)-\(last)/\(size)\r\n"), head)
            XCTAssertTrue(head.contains("Accept-Ranges: bytes\r\n") && head.contains("Content-Type: video/x-matroska\r\n"), head)
            XCTAssertEqual(Data(r.drain()), file[first...last], "\(range): the file's bytes")
        }
        let whole = try RawStreamReader(port: v.webPort, path: "/recordings/\(path)", extraHeaders: "Connection: close\r\n")
        defer { whole.close() }
        let wholeHead = try whole.readHead()
        XCTAssertEqual(whole.status, 200, wholeHead)
        XCTAssertTrue(wholeHead.contains("Content-Length: \(size)\r\n"), wholeHead)
        XCTAssertEqual(Data(whole.drain()), file, "the whole file")

        let past = try RawStreamReader(port: v.webPort, path: "/recordings/\(path)", extraHeaders: "Range: bytes=\(size)-\r\nConnection: close\r\n")
        defer { past.close() }
        let pastHead = try past.readHead()
        XCTAssertEqual(past.status, 416, pastHead)
        XCTAssertTrue(pastHead.contains("Content-Range: bytes */\(size)\r\n"), pastHead)

        for bad in ["/recordings/../../etc/passwd", "/recordings/1AAA99/..%2F..%2Fetc%2Fpasswd", "/recordings//etc/passwd", "/recordings/1AAA99/x.mkv",
            "/recordings/1AAA99/20261207T035800Z.mkv"]
        {
            let r = try httpGet(port: v.webPort, path: bad)
            XCTAssertEqual(r.status, 404, "\(bad): \(r.body)")
            XCTAssertFalse(r.body.contains("root:"), bad)
        }
        let status = try httpGet(port: v.webPort, path: "/api/recorder")
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(status.body.utf8)) as? [String: Any])
        XCTAssertEqual(json["recording"] as? Bool, true)
        XCTAssertGreaterThan((json["bytesWritten"] as? NSNumber)?.intValue ?? 0, 0)
        let streams = try XCTUnwrap(json["streams"] as? [String: [String: Any]])
        XCTAssertGreaterThan((streams["1AAA9901"]?["recorded"] as? NSNumber)?.intValue ?? 0, 200, status.body)
        try waitUntil("/api/recorder names the file being written") {
            let s = try? httpGet(port: v.webPort, path: "/api/recorder")
            return s.map { $0.body.contains("\"openFiles\":{\"1AAA99\":\"1AAA99/") } ?? false
        }
    }

    /// VLC plays a recording over HTTP from 10 s in, with no error line, and the server saw its Range requests.
    func testVLCPlaysARecordingFromTheMiddle() throws {
        let cvlc = try requireTool("cvlc", package: "vlc-bin vlc-plugin-base")
        let asNobody = getuid() == 0 ? ["-u", "nobody", "--"] : []
        let launcher = getuid() == 0 ? try requireTool("runuser", package: "util-linux") : try requireTool("env", package: "coreutils")
        let root = folder("rec")
        let (v, path) = try recordingViewer(root)
        let home = folder("vlc-home")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o777])
        let r = try runTool(
            launcher,
            asNobody + (asNobody.isEmpty ? [] : ["env"]) + ["HOME=\(home.path)", cvlc, "-I", "dummy", "--no-dbus", "--vout", "dummy", "--aout", "dummy",
             "--verbose=0", "--play-and-exit", "--start-time", "10", "--run-time", "3", v.url("/recordings/\(path)")], timeout: 40)
        XCTAssertEqual(r.status, 0, r.stderr)
        let errors = (r.stdout + r.stderr).split(separator: "\n").filter {
            $0.contains(" error:") && !$0.contains("no suitable interface module") && !$0.contains("interface \"globalhotkeys,none\" initialization failed")
        }
        XCTAssertEqual(errors, [], "cvlc printed errors")
        let status = try httpGet(port: v.webPort, path: "/api/recorder")
        let served = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(status.body.utf8)) as? [String: Any])?["served"] as? [String: Any])
        XCTAssertGreaterThan((served["ranges"] as? NSNumber)?.intValue ?? 0, 0, "VLC asked for ranges: \(status.body)")
    }
}
