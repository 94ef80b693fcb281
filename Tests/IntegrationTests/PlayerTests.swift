import Foundation
import XCTest

/// The viewer's standard outputs opened by real players (issue 19): ffmpeg copies the MJPEG's JPEGs byte for byte
/// and decodes the MP3 without an error; VLC plays both; hostile and unknown requests get their status codes.
final class PlayerTests: IntegrationTestCase {
    /// `ffmpeg -i …/1AAA99.mjpg -frames:v 48 -c copy -f image2`: 48 JPEGs, each identical to a source frame.
    func testFFmpegCopiesFortyEightJPEGsByteForByte() throws {
        let ffmpeg = try requireTool("ffmpeg", package: "ffmpeg")
        let v = try startViewer()
        let dir = folder("copied")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let r = try runTool(
            ffmpeg, ["-nostdin", "-v", "error", "-i", v.url("/streams/1AAA99.mjpg"), "-frames:v", "48", "-c", "copy", "-f", "image2", dir.path + "/%03d.jpg"],
            timeout: 60)
        XCTAssertEqual(r.status, 0, "ffmpeg failed: \(r.stderr)")
        XCTAssertEqual(r.stderr, "", "ffmpeg printed errors")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted().map { dir.appendingPathComponent($0) }
        XCTAssertEqual(files.count, 48, "ffmpeg wrote \(files.count) files")
        let check = try SourceSet(folder: Paths.frames("1AAA99")).check(files)
        XCTAssertEqual(check.mismatched, [], "files identical to no source frame")
        XCTAssertGreaterThan(check.seen.count, 24, "the 48 files are live frames, not one repeated")
    }

    /// `ffmpeg -v error -i …/1AAA99.mp3 -t 4 -f null -`: decodes with no error line, and so does an Icecast client's
    /// request (metadata interleaved, which ffmpeg's http protocol takes out again).
    func testFFmpegDecodesTheMP3WithoutAnError() throws {
        let ffmpeg = try requireTool("ffmpeg", package: "ffmpeg")
        let v = try startViewer()
        // ffmpeg asks for ICY metadata unless told not to (-icy 0).
        let plain = try runTool(ffmpeg, ["-nostdin", "-v", "error", "-icy", "0", "-i", v.url("/streams/1AAA99.mp3"), "-t", "4", "-f", "null", "-"])
        XCTAssertEqual(plain.status, 0, "ffmpeg failed: \(plain.stderr)")
        XCTAssertEqual(plain.stderr, "", "ffmpeg printed errors decoding the MP3")
        let icy = try runTool(
            ffmpeg, ["-nostdin", "-v", "error", "-icy", "1", "-i", v.url("/streams/1AAA99.mp3"), "-t", "4", "-f", "null", "-"])
        XCTAssertEqual(icy.status, 0, "ffmpeg with ICY metadata failed: \(icy.stderr)")
        XCTAssertEqual(icy.stderr, "", "ffmpeg printed errors decoding the MP3 with ICY metadata")

        // The ICY body itself: it starts on an MP3 frame's sync word, and after `icy-metaint` bytes of audio comes a
        // block carrying the title.
        let radio = try RawStreamReader(port: v.webPort, path: "/streams/1AAA99.mp3", extraHeaders: "Icy-MetaData: 1\r\n")
        defer { radio.close() }
        let head = try radio.readHead()
        XCTAssertTrue(head.contains("icy-metaint: 16000") && head.contains("Content-Type: audio/mpeg"), head)
        let audio = try XCTUnwrap(radio.read(16_001), "16,001 bytes of the ICY body")
        XCTAssertTrue(audio[0] == 0xFF && audio[1] & 0xE0 == 0xE0, "the body starts on an MP3 frame sync")
        let units = Int(audio[16_000])
        XCTAssertGreaterThan(units, 0, "the first metadata block carries the title")
        let block = try XCTUnwrap(radio.read(units * 16))
        XCTAssertTrue(String(decoding: block, as: UTF8.self).hasPrefix("StreamTitle='1AAA99 live';"), "block: \(block)")

        let streams = try readerFigures(v).streams
        XCTAssertGreaterThanOrEqual(streams["1AAA9902"]?.opened ?? 0, 2, "both requests were readers of the audio stream")
        XCTAssertEqual(streams["1AAA9902"]?.framesDropped, 0, "no audio dropped for ffmpeg")
    }

    /// Debian's VLC (`cvlc`, run as nobody: VLC refuses root) plays the MJPEG and the MP3 for a few seconds each
    /// with no error line, and the viewer counts the frames it took, none dropped.
    func testVLCPlaysTheMJPEGAndTheMP3() throws {
        let cvlc = try requireTool("cvlc", package: "vlc-bin vlc-plugin-base")
        // As root, through runuser as nobody; as anyone else, directly.
        let asNobody = getuid() == 0 ? ["-u", "nobody", "--"] : []
        let launcher = getuid() == 0 ? try requireTool("runuser", package: "util-linux") : try requireTool("env", package: "coreutils")
        let v = try startViewer()
        // VLC wants a home it may write to; nobody's is /nonexistent.
        let home = folder("vlc-home")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o777])
        // VLC exits 0 even when it cannot open its input, so its errors are read from its output: at --verbose=0 it
        // prints only lines `[…] <module> error: …`; the two about the global-hotkeys interface a headless machine
        // lacks are not about the stream. --run-time ends the MP3; VLC's MJPEG demuxer never reaches a run time
        // (with ffmpeg's own mpjpeg server either), so that play is stopped after 5 s (SIGTERM through runuser).
        for (path, stream, least) in [("/streams/1AAA99.mjpg", "1AAA9901", 48), ("/streams/1AAA99.mp3", "1AAA9902", 3)] {
            let video = path.hasSuffix(".mjpg")
            let r = try runTool(
                launcher,
                asNobody + (asNobody.isEmpty ? [] : ["env"]) + ["HOME=\(home.path)", cvlc, "-I", "dummy", "--no-dbus", "--vout", "dummy", "--aout", "dummy",
                 "--verbose=0", "--play-and-exit", "--run-time", "4", v.url(path)], timeout: 40, stopAfter: video ? 5 : nil)
            if video {
                XCTAssertTrue(r.stopped, "cvlc stopped playing \(path) by itself within 5 s: \(r.stderr)")
            } else {
                XCTAssertEqual(r.status, 0, "cvlc \(path) exited \(r.status): \(r.stderr)")
            }
            let errors = (r.stdout + r.stderr).split(separator: "\n").filter {
                $0.contains(" error:") && !$0.contains("no suitable interface module") && !$0.contains("interface \"globalhotkeys,none\" initialization failed")
            }
            XCTAssertEqual(errors, [], "cvlc \(path) printed errors")
            let f = try readerFigures(v).streams[stream]
            XCTAssertGreaterThanOrEqual(f?.framesSent ?? 0, least, "VLC took \(f?.framesSent ?? 0) frames of \(path)")
            XCTAssertEqual(f?.framesDropped, 0, "frames dropped for VLC on \(path)")
        }
    }

    /// `/streams/<ID>.jpg` is the latest frame byte for byte (of a stream the client already receives, and of one it
    /// must first subscribe to), and `/streams.m3u` lists the streams at URLs ffprobe opens.
    func testSnapshotsAndThePlaylist() throws {
        let ffprobe = try requireTool("ffprobe", package: "ffmpeg")
        let v = try startViewer([("1AAA99", 24), ("2BBB77", 24)])
        let watched = try RawStreamReader(port: v.webPort, path: "/streams/1AAA99.mjpg")
        defer { watched.close() }
        _ = try watched.readHead()
        XCTAssertNotNil(try watched.nextPart(), "a frame of 1AAA99")
        for id in ["1AAA99", "2BBB77"] {
            let snap = try RawStreamReader(port: v.webPort, path: "/streams/\(id).jpg", extraHeaders: "Connection: close\r\n")
            defer { snap.close() }
            let head = try snap.readHead()
            XCTAssertEqual(snap.status, 200, head)
            XCTAssertTrue(head.contains("Content-Type: image/jpeg") && head.contains("Cache-Control: no-store"), head)
            let jpeg = snap.drain()
            XCTAssertNotNil(try SourceSet(folder: Paths.frames(id)).byBytes[Data(jpeg)], "the \(id) snapshot (\(jpeg.count) bytes) is a source frame")
        }

        let m3u = try httpGet(port: v.webPort, path: "/streams.m3u")
        XCTAssertEqual(m3u.status, 200)
        XCTAssertTrue(m3u.body.hasPrefix("#EXTM3U"), m3u.body)
        let urls = m3u.body.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { $0.hasPrefix("http://") }
        XCTAssertTrue(urls.contains(v.url("/streams/1AAA99.mjpg")) && urls.contains(v.url("/streams/2BBB77.mjpg")), m3u.body)
        for url in urls {
            let r = try runTool(ffprobe, ["-v", "error", "-show_entries", "stream=codec_name", "-of", "csv=p=0", url], timeout: 30)
            XCTAssertEqual(r.status, 0, "ffprobe \(url): \(r.stderr)")
            XCTAssertEqual(r.stderr, "", "ffprobe \(url) printed errors")
            let codec = r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            XCTAssertEqual(codec, url.hasSuffix(".mp3") ? "mp3" : "mjpeg", url)
        }
    }

    /// Requests a player must not get a stream for: the right status, a one-line reason, and the viewer goes on.
    func testHostileAndUnknownRequests() throws {
        let v = try startViewer()
        func answer(_ request: String) throws -> (status: Int?, head: String, body: String) {
            let c = try TCPConnection(port: v.webPort)
            defer { c.close() }
            XCTAssertTrue(c.send(Array(request.utf8)))
            let text = c.receiveAll()
            let parts = text.components(separatedBy: "\r\n\r\n")
            let status = text.split(separator: " ").dropFirst().first.flatMap { Int($0) }
            return (status, parts[0], parts.dropFirst().joined(separator: "\r\n\r\n"))
        }
        let post = try answer("POST /streams/1AAA99.mjpg HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        XCTAssertEqual(post.status, 405)
        XCTAssertTrue(post.head.contains("Allow: GET, HEAD"), post.head)

        for path in ["/streams/ABCDEF.mjpg", "/streams/ABCDEF.mp3", "/streams/ABCDEF.jpg", "/streams/zz.mjpg", "/streams/1AAA99.avi"] {
            let r = try answer("GET \(path) HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            XCTAssertEqual(r.status, 404, path)
            XCTAssertEqual(r.body.split(separator: "\n").count, 1, "\(path): a one-line reason: \(r.body.debugDescription)")
            XCTAssertTrue(r.body.hasSuffix("\n") && r.body.count > 10, "\(path): \(r.body.debugDescription)")
        }

        // HEAD: the stream's head, no body, and the connection ends (no reader is left behind).
        let head = try answer("HEAD /streams/1AAA99.mjpg HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(head.status, 200)
        XCTAssertTrue(head.head.contains("multipart/x-mixed-replace; boundary=vbframe"), head.head)
        XCTAssertEqual(head.body, "", "HEAD got a body")
        try waitUntil("no reader remains after the HEAD") { try readerFigures(v).readers.isEmpty }

        // Too many readers from one address: the one past the cap is answered 503 with the reason (audio readers,
        // which cost little, fill the places).
        var held: [RawStreamReader] = []
        defer { for r in held { r.close() } }
        for _ in 0..<256 {
            let r = try RawStreamReader(port: v.webPort, path: "/streams/1AAA99.mp3")
            _ = try r.readHead()
            XCTAssertEqual(r.status, 200, r.head)
            held.append(r)
        }
        let refused = try answer("GET /streams/1AAA99.mjpg HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        XCTAssertEqual(refused.status, 503)
        XCTAssertTrue(refused.body.contains("too many readers"), refused.body)
        XCTAssertEqual(try readerFigures(v).refused, 1)

        // The page and the prompt still answer.
        XCTAssertEqual(try httpGet(port: v.webPort, path: "/").status, 200)
        try v.client.type("list")
        try waitForLine(v.client, containing: "1AAA9901 video")
    }
}
