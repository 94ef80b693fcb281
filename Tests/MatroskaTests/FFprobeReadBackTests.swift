import Foundation
import XCTest

@testable import Matroska

/// Files written from the sample media, read back by ffprobe and ffmpeg: the streams, the duration, the exact
/// JPEG bytes, the MP3 decoding without error, and a file cut mid-cluster as a crash leaves it.
final class FFprobeReadBackTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let start: UInt64 = 1_700_000_000_000_000
    var dir: URL!

    override func setUpWithError() throws {
        guard Self.tool("ffprobe") != nil, Self.tool("ffmpeg") != nil else {
            let why = "ffmpeg/ffprobe not installed (apt-get install -y ffmpeg); the read-back tests need them"
            // In CI a missing tool is a failure (.ci/run installs it), never a silent skip.
            if ProcessInfo.processInfo.environment["CI"] == "true" { throw NSError(domain: why, code: 1) }
            throw XCTSkip(why)
        }
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("mkv-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDown() { if let d = dir { try? FileManager.default.removeItem(at: d) } }

    static func tool(_ name: String) -> String? {
        for d in ["/usr/bin", "/usr/local/bin", "/bin"] where FileManager.default.isExecutableFile(atPath: "\(d)/\(name)") { return "\(d)/\(name)" }
        return nil
    }

    /// Runs a tool; returns its exit status, stdout and stderr.
    func run(_ tool: String, _ args: [String]) throws -> (status: Int32, out: String, err: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.tool(tool)!)
        p.arguments = args
        let out = dir.appendingPathComponent("\(tool).out")
        let err = dir.appendingPathComponent("\(tool).err")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        p.standardOutput = try FileHandle(forWritingTo: out)
        p.standardError = try FileHandle(forWritingTo: err)
        try p.run()
        p.waitUntilExit()
        return (p.terminationStatus, try String(contentsOf: out, encoding: .utf8), try String(contentsOf: err, encoding: .utf8))
    }

    func media(_ kind: String, _ n: Int) throws -> [UInt8] {
        let name = kind == "frames" ? "frame\(n).jpg" : "audio\(n).mp3"
        return Array(try Data(contentsOf: Self.root.appendingPathComponent("producer/1AAA99/\(kind)/\(name)")))
    }

    /// The sample producer's 5 s: 60 frames at 12 fps and 5 one-second MP3 chunks, in capture order. Returns the
    /// file's bytes and the offsets where each cluster started.
    func record(finish: Bool) throws -> (file: [UInt8], clusterStarts: [Int]) {
        let firstJPEG = try media("frames", 1)
        let firstMP3 = try media("audio", 1)
        let tracks = [
            MatroskaTrack(number: 1, media: .mjpeg(try XCTUnwrap(JPEGDimensions(jpeg: firstJPEG)))),
            MatroskaTrack(number: 2, media: .mp3(try XCTUnwrap(MP3StreamInfo(mp3: firstMP3)))),
        ]
        XCTAssertEqual(tracks[0].media, .mjpeg(JPEGDimensions(width: 320, height: 240)))
        XCTAssertEqual(tracks[1].media, .mp3(MP3StreamInfo(sampleRate: 44100, channels: 1)))
        var w = MatroskaSegmentWriter(tracks: tracks, startMicros: start, app: "vbroker test")
        var file = w.header
        var starts: [Int] = []
        var events: [(UInt64, Int, Int)] = (0..<60).map { (start + UInt64($0) * 83_333, 1, $0 + 1) }
        events += (0..<5).map { (start + UInt64($0) * 1_000_000, 2, $0 + 1) }
        events.sort { ($0.0, $0.1) < ($1.0, $1.1) }
        for (t, track, n) in events {
            let clusters = w.clusterCount
            let writes = try w.append(track: track, frame: try media(track == 1 ? "frames" : "audio", n), captureMicros: t)
            if w.clusterCount > clusters { starts.append(file.count) }
            apply(writes, to: &file)
        }
        if finish { apply(w.finish(), to: &file) }
        return (file, starts)
    }

    func write(_ bytes: [UInt8], _ name: String) throws -> String {
        let url = dir.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    func testStreamsAndDuration() throws {
        let path = try write(try record(finish: true).file, "rec.mkv")
        let r = try run("ffprobe", ["-v", "error", "-show_entries", "stream=codec_name:format=duration", "-of", "csv=p=0", path])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(r.err, "")
        let lines = r.out.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.prefix(2).sorted(), ["mjpeg", "mp3"])
        let duration = try XCTUnwrap(Double(lines.last!))
        XCTAssertEqual(duration, 5.0, accuracy: 1.0 / 12, "60 frames at 12 fps")
    }

    func testJPEGBytesComeBackExactlyAndInOrder() throws {
        let path = try write(try record(finish: true).file, "rec.mkv")
        let r = try run(
            "ffmpeg", ["-v", "error", "-i", path, "-map", "0:v", "-c", "copy", "-f", "image2", dir.appendingPathComponent("out%d.jpg").path])
        XCTAssertEqual(r.status, 0, r.err)
        for n in 1...60 {
            let got = try Data(contentsOf: dir.appendingPathComponent("out\(n).jpg"))
            XCTAssertEqual(Array(got), try media("frames", n), "frame \(n)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("out61.jpg").path))
    }

    func testAudioCopiesOutAndDecodesWithoutError() throws {
        let path = try write(try record(finish: true).file, "rec.mkv")
        let mp3 = dir.appendingPathComponent("out.mp3").path
        let copy = try run(
            "ffmpeg", ["-v", "error", "-i", path, "-map", "0:a", "-c", "copy", "-f", "mp3", "-write_xing", "0", "-id3v2_version", "0", mp3])
        XCTAssertEqual(copy.status, 0, copy.err)
        // Each sample chunk decodes to ~1.045 s but starts a second after the previous one (producer/README.md), so
        // the MP3 muxer notes overlapping timestamps; any other line is a failure.
        let lines = copy.err.split(separator: "\n").filter { !$0.contains("non monotonically increasing dts") }
        XCTAssertEqual(lines, [], "copying the MP3 out")
        let decode = try run("ffmpeg", ["-v", "error", "-i", mp3, "-f", "null", "-"])
        XCTAssertEqual(decode.status, 0)
        XCTAssertEqual(decode.err, "", "decoding the copied MP3")
        var source: [UInt8] = []
        for n in 1...5 { source += try media("audio", n) }
        let copied = Array(try Data(contentsOf: URL(fileURLWithPath: mp3)))
        XCTAssertTrue(copied == source, "the MP3 bytes pass unchanged (\(copied.count) bytes copied, \(source.count) sent)")
    }

    func testAFileCutMidClusterIsReadUpToItsLastWholeCluster() throws {
        let (file, starts) = try record(finish: false)
        XCTAssertEqual(starts.count, 5)
        // Cut 100 bytes into the fourth cluster, as kill -9 during a write leaves it.
        let cut = Array(file.prefix(starts[3] + 100))
        let path = try write(cut, "cut.mkv")
        let r = try run(
            "ffprobe", ["-v", "error", "-select_streams", "v", "-count_packets", "-show_entries", "stream=nb_read_packets", "-of", "csv=p=0", path])
        XCTAssertEqual(r.status, 0, r.err)
        let packets = try XCTUnwrap(Int(r.out.trimmingCharacters(in: .whitespacesAndNewlines)), r.out)
        XCTAssertGreaterThanOrEqual(packets, 36, "the three whole clusters hold frames 1-36")
        XCTAssertLessThanOrEqual(packets, 37)
    }

    /// The reader takes a file ffmpeg's own muxer wrote from ours (known sizes, its own layout) and finds the same
    /// JPEG bytes in it.
    func testTheReaderReadsWhatFFmpegWrites() throws {
        let ours = try write(try record(finish: true).file, "rec.mkv")
        let theirs = dir.appendingPathComponent("ffmpeg.mkv").path
        let r = try run("ffmpeg", ["-v", "error", "-i", ours, "-map", "0:v", "-c", "copy", theirs])
        XCTAssertEqual(r.status, 0, r.err)
        let file = Array(try Data(contentsOf: URL(fileURLWithPath: theirs)))
        let h = try XCTUnwrap(MatroskaReader.header(Array(file.prefix(MatroskaDurationReader.headerBytes))))
        XCTAssertEqual(h.tracks.values.sorted(), ["V_MJPEG"])
        var position = MatroskaReader.Position(offset: try XCTUnwrap(h.bodyStart))
        var frames: [[UInt8]] = []
        while !position.ended && position.offset < file.count {
            let (blocks, next) = MatroskaReader.blocks(Array(file[position.offset...]), from: position)
            frames += blocks.map { Array(file[$0.data]) }
            if next == position { break }
            position = next
        }
        XCTAssertEqual(frames.count, 60)
        for (n, f) in frames.enumerated() { XCTAssertTrue(f == (try media("frames", n + 1)), "frame \(n + 1)") }
    }
}
