import Foundation
import XCTest

/// `client --record`: Matroska files of a producer's video and audio, read back by ffprobe and ffmpeg; a recorder
/// killed with SIGKILL; a full disk.
final class RecordingIntegrationTests: IntegrationTestCase {
    let rate = 12.0

    override func setUpWithError() throws {
        try super.setUpWithError()
        try MediaTool.require()
    }

    /// The `.mkv` files of producer `id` under `root`, oldest first.
    func recordings(_ root: URL, _ id: String = "1AAA99") -> [URL] {
        let dir = root.appendingPathComponent(id)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { $0.hasSuffix(".mkv") }.sorted().map { dir.appendingPathComponent($0) }
    }

    /// 20 s segments: the first file closes when a frame 20 s after its start arrives, so it holds 20 s exactly.
    func testTwentySecondRecordingHoldsTheSourceFramesInOrder() throws {
        let broker = try startBroker()
        try startProducer("1AAA99", brokerPort: broker.port, rate: rate)
        try waitForProducerOnline("1AAA99", at: broker)
        let root = folder("rec")
        let client = try startClient(
            brokerPort: broker.port, subscribe: ["1AAA99"], extra: ["--record", root.path, "--record-segment-s", "20"])
        try waitUntil("the first 20 s file is finished and the next one begun", timeout: 45) { recordings(root).count >= 2 }
        let file = recordings(root)[0]
        let probe = try MediaTool.probe(file, in: workDir)
        XCTAssertEqual(probe.codecs.sorted(), ["mjpeg", "mp3"])
        XCTAssertEqual(probe.err, "")
        let duration = try XCTUnwrap(probe.duration, "a finished file has a duration")
        XCTAssertEqual(duration, 20, accuracy: 1 / rate, "20 s within one frame interval")

        let frames = folder("frames")
        try FileManager.default.createDirectory(at: frames, withIntermediateDirectories: true)
        let x = try MediaTool.run(
            "ffmpeg", ["-v", "error", "-i", file.path, "-map", "0:v", "-c", "copy", "-f", "image2", frames.appendingPathComponent("f%d.jpg").path],
            in: workDir)
        XCTAssertEqual(x.status, 0, x.err)
        let sources = try SourceSet(folder: Paths.frames("1AAA99"))
        var numbers: [Int] = []
        var n = 1
        while FileManager.default.fileExists(atPath: frames.appendingPathComponent("f\(n).jpg").path) {
            let name = sources.match(frames.appendingPathComponent("f\(n).jpg"))
            XCTAssertNotNil(name, "frame \(n) is byte-identical to a source frame")
            numbers.append(name.flatMap(sourceNumber) ?? -1)
            n += 1
        }
        print("recording: a 20 s segment, ffprobe duration \(duration) s, \(numbers.count) video frames")
        XCTAssertEqual(Double(numbers.count), 20 * rate, accuracy: 1, "20 s of frames at \(rate) fps")
        let steps = zip(numbers, numbers.dropFirst()).filter { $1 != $0 % sources.count + 1 }
        XCTAssertEqual(steps.count, 0, "frames in source order (the producer loops its \(sources.count) frames): \(steps.prefix(5))")

        let mp3 = workDir.appendingPathComponent("audio.mp3")
        let a = try MediaTool.run("ffmpeg", ["-v", "error", "-i", file.path, "-map", "0:a", "-c", "copy", mp3.path], in: workDir)
        XCTAssertEqual(a.status, 0, a.err)
        let decode = try MediaTool.run("ffmpeg", ["-v", "error", "-i", mp3.path, "-f", "null", "-"], in: workDir)
        XCTAssertEqual(decode.status, 0)
        XCTAssertEqual(decode.err, "", "the copied MP3 decodes without an error line")
        XCTAssertTrue(client.isRunning)
    }

    /// kill -9 of the recorder after ~15 s: the unfinished file is read; a new run starts a new file and leaves
    /// the old one as it was.
    func testAKilledRecorderLeavesAPlayableFileAndTheNextRunStartsANewOne() throws {
        let broker = try startBroker()
        try startProducer("1AAA99", brokerPort: broker.port, rate: rate)
        try waitForProducerOnline("1AAA99", at: broker)
        let root = folder("rec")
        let first = try startClient(brokerPort: broker.port, subscribe: ["1AAA99"], name: "recorder1", extra: ["--record", root.path])
        try waitUntil("a recording begins") { !recordings(root).isEmpty }
        let started = monotonicNow()
        // The file grows with every frame; 15 s of capture time is about 15 s of wall time at a live producer.
        try waitUntil("15 s recorded", timeout: 40) { monotonicNow() - started >= 15 && recordings(root).count == 1 }
        first.expectAlive = false
        first.signal(SIGKILL)
        try waitForExit(first)
        let killed = try XCTUnwrap(recordings(root).first)
        let packets = try MediaTool.videoPackets(killed, in: workDir)
        XCTAssertGreaterThanOrEqual(packets, Int(13 * rate), "at least 13 s of frames in the unfinished file")
        let before = try Data(contentsOf: killed)

        let second = try startClient(brokerPort: broker.port, subscribe: ["1AAA99"], name: "recorder2", extra: ["--record", root.path])
        try waitUntil("the next run starts a new file") { recordings(root).count == 2 }
        let newFile = recordings(root).first { $0 != killed }!
        try waitUntil("the new file holds frames") { (try? MediaTool.videoPackets(newFile, in: workDir)) ?? 0 > 12 }
        XCTAssertEqual(try Data(contentsOf: killed), before, "the killed run's file is never touched again")
        XCTAssertTrue(second.isRunning)
    }

    /// A 2 MB tmpfs fills up: one error line for the producer, every file valid, live frames keep coming, and
    /// recording resumes in a new file once space is freed.
    func testAFullDiskStopsWithOneLineLeavesValidFilesAndResumes() throws {
        let root = folder("small")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let m = try MediaTool.run("mount", ["-t", "tmpfs", "-o", "size=2m", "tmpfs", root.path], in: workDir)
        guard m.status == 0 else {
            let why = "cannot mount a tmpfs for the full-disk test (needs root): \(m.err)"
            if ProcessInfo.processInfo.environment["CI"] == "true" { throw HarnessFailure(why) }
            throw XCTSkip(why)
        }
        // Lazy: the recorder may still hold a file open when this runs.
        addTeardownBlock { _ = try? MediaTool.run("umount", ["-l", root.path], in: FileManager.default.temporaryDirectory) }
        let broker = try startBroker()
        try startProducer("1AAA99", brokerPort: broker.port, rate: 30)
        try waitForProducerOnline("1AAA99", at: broker)
        let live = folder("live")
        let client = try startClient(brokerPort: broker.port, subscribe: ["1AAA99"], output: live, extra: ["--record", root.path])
        let stopped = "recording of 1AAA99"
        try waitUntil("the disk fills and the recorder says so", timeout: 40) { client.stderr.contains(stopped) }
        let atError = savedCount(live, stream: "1AAA9901")
        // Three seconds of live frames (about three retries a second apart) while the disk stays full.
        try waitUntil("the client keeps receiving live frames") { savedCount(live, stream: "1AAA9901") >= atError + 90 }
        let lines = client.stderr.split(separator: "\n").filter { $0.contains(stopped) && $0.contains("ERROR") }
        XCTAssertEqual(lines.count, 1, "one error line per producer recording: \(lines)")
        XCTAssertTrue(lines.first?.contains("No space left on device") ?? false, "the line says why: \(lines)")
        let files = recordings(root)
        XCTAssertFalse(files.isEmpty)
        for f in files {
            let probe = try MediaTool.probe(f, in: workDir)
            XCTAssertEqual(probe.codecs.sorted(), ["mjpeg", "mp3"], f.lastPathComponent)
            XCTAssertGreaterThan(try MediaTool.videoPackets(f, in: workDir), 0, "\(f.lastPathComponent) holds frames")
        }
        for f in files { try FileManager.default.removeItem(at: f) }
        try waitUntil("recording resumes once there is room", timeout: 20) { client.stderr.contains("recording of 1AAA99 resumed") }
        try waitUntil("the new file holds frames") { recordings(root).contains { ((try? MediaTool.videoPackets($0, in: workDir)) ?? 0) > 10 } }
        XCTAssertTrue(client.isRunning)
        // At exit the recorder counts the frames the full disk cost.
        client.signal(SIGTERM)
        XCTAssertEqual(try waitForExit(client), 0)
        let figures = try XCTUnwrap(client.stderr.split(separator: "\n").first { $0.contains("recorded 1AAA9901:") }, client.stderr)
        let diskErrors = figures.split(separator: "disk errors ").last.flatMap { Int($0.prefix { $0.isNumber }) }
        XCTAssertGreaterThan(diskErrors ?? 0, 0, "frames dropped while the disk was full are counted: \(figures)")
    }

    /// RECORD=all: producers that come online after the recorder started are found (periodic LIST) and recorded.
    func testRecordAllFollowsProducersThatComeOnlineLater() throws {
        let broker = try startBroker()
        let root = folder("rec")
        let client = try startClient(brokerPort: broker.port, extra: ["--record", root.path, "--record-streams", "all"])
        try waitUntil("the recorder is connected") { client.stderr.contains("connected to broker") }
        try startProducer("1AAA99", brokerPort: broker.port, rate: rate)
        try startProducer("2BBB77", brokerPort: broker.port, rate: rate)
        for id in ["1AAA99", "2BBB77"] {
            try waitUntil("\(id) is recorded", timeout: 30) {
                recordings(root, id).contains { ((try? MediaTool.videoPackets($0, in: workDir)) ?? 0) > 0 }
            }
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: root.path).sorted(), ["1AAA99", "2BBB77"])
    }
}
