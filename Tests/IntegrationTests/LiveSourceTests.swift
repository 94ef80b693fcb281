import Foundation
import XCTest

/// Live sources end to end: ffmpeg piped into a producer, MP3 through a FIFO, an HTTP MJPEG camera that fails and
/// comes back, junk in the stream. Frames must reach a subscribed client byte-identical to the JPEGs ffmpeg itself
/// cuts from the same stream, and audio chunks must decode.
final class LiveSourceTests: IntegrationTestCase {
    private let id = "1AAA99"
    private var video: String { id + "01" }
    private var audio: String { id + "02" }

    // MARK: ffmpeg

    /// The path of ffmpeg; skips when missing, except under CI (.ci/run installs it).
    private func ffmpeg() throws -> String {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":")
        where FileManager.default.isExecutableFile(atPath: "\(dir)/ffmpeg") {
            return "\(dir)/ffmpeg"
        }
        if ProcessInfo.processInfo.environment["CI"] == "true" { throw HarnessFailure("ffmpeg is missing under CI: .ci/run installs it") }
        throw XCTSkip("ffmpeg not found: apt-get install -y -qq ffmpeg to run the live-source tests")
    }

    /// Runs ffmpeg to the end; returns what it wrote on stderr.
    @discardableResult
    private func runFFmpeg(_ arguments: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try ffmpeg())
        p.arguments = ["-nostdin", "-v", "error"] + arguments
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw HarnessFailure("ffmpeg \(arguments.joined(separator: " ")) failed: \(text)") }
        return text
    }

    /// An MJPEG stream of `frames` test-pattern frames, and the JPEGs ffmpeg itself cuts from it.
    private func mjpeg(frames: Int) throws -> (stream: URL, cut: URL) {
        let stream = folder("stream.mjpeg")
        let cut = folder("cut")
        try FileManager.default.createDirectory(at: cut, withIntermediateDirectories: true)
        try runFFmpeg(["-f", "lavfi", "-i", "testsrc=size=320x240:rate=10", "-frames:v", "\(frames)", "-q:v", "5", "-f", "mjpeg", stream.path])
        try runFFmpeg(["-i", stream.path, "-c", "copy", "-f", "image2", cut.appendingPathComponent("%03d.jpg").path])
        return (stream, cut)
    }

    private func producer(frames: String, audio: String? = nil, broker: Broker, standardInput: Pipe? = nil, rate: Int = 1000) throws -> ManagedProcess
    {
        var args = ["--broker", broker.address, "--bind", try Ports.freeLocalAddress(), "--id", id, "--frames", frames, "--rate", "\(rate)"]
        if let audio { args += ["--audio", audio] }
        return try launch("producer", args, name: "producer", standardInput: standardInput)
    }

    private func count(_ text: String, in process: ManagedProcess) -> Int { process.stderr.components(separatedBy: text).count - 1 }

    // MARK: Tests

    func testFFmpegPipeAndMP3FIFOReachAClientUnchanged() throws {
        let (stream, cut) = try mjpeg(frames: 20)
        let fifo = folder("audio.fifo")
        guard mkfifo(fifo.path, 0o600) == 0 else { throw HarnessFailure("mkfifo: errno \(errno)") }
        let broker = try startBroker()
        let output = folder("out")
        let client = try startClient(brokerPort: broker.port, subscribe: [id], output: output)
        try waitForLine(client, containing: "subscribed to \(id)")

        // ffmpeg writes the stream in real time into the producer's standard input, and a sine as MP3 into the FIFO.
        let pipe = Pipe()
        let video = Process()
        video.executableURL = URL(fileURLWithPath: try ffmpeg())
        video.arguments = ["-nostdin", "-v", "error", "-re", "-i", stream.path, "-c", "copy", "-f", "mjpeg", "-"]
        video.standardOutput = pipe
        let producer = try producer(frames: "-", audio: fifo.path, broker: broker, standardInput: pipe)
        try video.run()
        try? pipe.fileHandleForWriting.close()
        let sound = Process()
        sound.executableURL = video.executableURL
        sound.arguments = [
            "-nostdin", "-v", "error", "-re", "-f", "lavfi", "-i", "sine=frequency=440:duration=3", "-c:a", "libmp3lame", "-f", "mp3", "-y",
            fifo.path,
        ]
        try sound.run()
        defer {
            video.terminate()
            sound.terminate()
        }

        try waitUntil("the client saved all 20 frames and 20 audio chunks", timeout: 30) {
            savedCount(output, stream: self.video) >= 20 && savedCount(output, stream: self.audio) >= 20
        }
        let check = try SourceSet(folder: cut).check(savedFiles(output, stream: self.video))
        XCTAssertEqual(check.mismatched, [], "every saved frame is one of the JPEGs ffmpeg cut")
        XCTAssertEqual(check.seen.count, 20, "all of them, once each")

        sound.waitUntilExit()
        try waitUntil("the producer says the FIFO ended", timeout: 20) { producer.stderr.contains("AUDIO \(fifo.path): the source ended") }
        for chunk in savedFiles(output, stream: self.audio) {
            let errors = try runFFmpeg(["-i", chunk.path, "-f", "null", "-"])
            XCTAssertEqual(errors, "", "\(chunk.lastPathComponent) decodes without errors")
        }
        try waitForLine(client, containing: "stream \(self.audio) is offline")
    }

    func testAnHTTPCameraThatFailsGoesOfflineAndComesBack() throws {
        let (_, cut) = try mjpeg(frames: 10)
        let jpegs = try (1...10).map { try [UInt8](Data(contentsOf: cut.appendingPathComponent(String(format: "%03d.jpg", $0)))) }
        // Junk a camera or a network may deliver: a part that is no JPEG, a JPEG cut short, one over the 1 MiB limit.
        let junk: [[UInt8]] = [
            Array("not a jpeg".utf8), Array(jpegs[0].prefix(500)), [0xFF, 0xD8] + [UInt8](repeating: 0x11, count: 1_100_000) + [0xFF, 0xD9],
        ]
        var server = try MJPEGTestServer(reply: .multipart(first: junk, parts: jpegs, interval: 20_000))
        let port = server.port
        let url = "http://127.0.0.1:\(port)/video.mjpg"
        let broker = try startBroker()
        let output = folder("out")
        let client = try startClient(brokerPort: broker.port, subscribe: [id], output: output)
        try waitForLine(client, containing: "subscribed to \(id)")
        let producer = try producer(frames: url, broker: broker)

        try waitUntil("the client saved 10 frames", timeout: 30) { savedCount(output, stream: self.video) >= 10 }
        try waitForLine(client, containing: "stream \(video) is online")
        // RATE (1000) is only a cap: the camera's rate, about 50 fps, is what the producer announces.
        try waitUntil("the producer announces the measured rate", timeout: 20) { producer.stderr.contains("FRAMES \(url): measured") }
        // The cut JPEG is dropped when the next part starts; the oversize part never reaches the JPEG framer.
        try waitUntil("the producer counted the junk", timeout: 20) {
            producer.stderr.contains("dropped so far: 0 oversize and 1 broken JPEGs, 1 bad parts, 510 bytes outside whole frames")
        }

        server.stop()
        try waitUntil("the producer says the camera is gone", timeout: 20) {
            producer.stderr.contains("FRAMES \(url): ") && producer.stderr.contains("stream offline")
        }
        try waitForLine(client, containing: "stream \(video) is offline")
        let before = savedCount(output, stream: video)

        server = try MJPEGTestServer(port: port, reply: .multipart(parts: jpegs, interval: 20_000))
        try waitUntil("the producer is back online", timeout: 30) { self.count("FRAMES \(url): online", in: producer) >= 2 }
        try waitForLine(client, containing: "stream \(video) is online", count: 2)
        try waitUntil("frames flow again", timeout: 20) { savedCount(output, stream: self.video) >= before + 10 }
        let check = try SourceSet(folder: cut).check(savedFiles(output, stream: video))
        XCTAssertEqual(check.mismatched, [], "no junk reached the client")
        server.stop()
    }

    func testRefusingSourcesAreNamedAndRetried() throws {
        let missing = try MJPEGTestServer(reply: .status(404))
        let html = try MJPEGTestServer(reply: .multipart(parts: [[1]], interval: 100_000, contentType: "text/html"))
        let broker = try startBroker()
        let first = try producer(frames: "http://127.0.0.1:\(missing.port)/none.mjpg", broker: broker)
        try waitUntil("the 404 is logged with the URL", timeout: 20) {
            first.stderr.contains("FRAMES http://127.0.0.1:\(missing.port)/none.mjpg: http://127.0.0.1:\(missing.port)/none.mjpg answered 404")
        }
        try waitUntil("the source is asked again", timeout: 20) { missing.requests >= 2 }
        first.expectAlive = false
        first.signal(SIGTERM)
        XCTAssertEqual(try waitForExit(first), 0)
        let second = try producer(frames: "http://127.0.0.1:\(html.port)/page", broker: broker)
        try waitUntil("the wrong content type is logged", timeout: 20) { second.stderr.contains("content type 'text/html' is not MJPEG") }
        XCTAssertTrue(second.isRunning)
        XCTAssertFalse(broker.process.stderr.contains(video), "no stream went online: \(broker.process.stderr)")
        missing.stop()
        html.stop()
    }

    func testAFIFOThatPausesGoesOfflineAndItsWriterLivesOn() throws {
        let (stream, cut) = try mjpeg(frames: 10)
        let bytes = try [UInt8](Data(contentsOf: stream))
        let sizes = try (1...10).map { try Data(contentsOf: cut.appendingPathComponent(String(format: "%03d.jpg", $0))).count }
        let fifo = folder("frames.fifo")
        guard mkfifo(fifo.path, 0o600) == 0 else { throw HarnessFailure("mkfifo: errno \(errno)") }
        let broker = try startBroker()
        let output = folder("out")
        let client = try startClient(brokerPort: broker.port, subscribe: [id], output: output)
        // Subscribed before the source delivers: a live frame sent before that is not the client's.
        try waitForLine(client, containing: "subscribed to \(id)")
        let producer = try producer(frames: fifo.path, broker: broker)
        // Opening the FIFO for writing waits for the producer to open it for reading.
        let writer = try FileHandle(forWritingTo: fifo)
        let half = sizes.prefix(5).reduce(0, +)
        try writer.write(contentsOf: Data(bytes[..<half]))
        try waitUntil("the client saved the first 5 frames", timeout: 20) { savedCount(output, stream: self.video) >= 5 }
        try waitUntil("the producer says the FIFO paused", timeout: 20) { producer.stderr.contains("FRAMES \(fifo.path): no bytes for 5 s") }
        try waitForLine(client, containing: "stream \(video) is offline")
        // The same writer goes on: the FIFO was kept open, so it got no SIGPIPE.
        try writer.write(contentsOf: Data(bytes[half...]))
        try waitUntil("the client saved all 10 frames", timeout: 20) { savedCount(output, stream: self.video) >= 10 }
        try waitForLine(client, containing: "stream \(video) is online", count: 2)
        XCTAssertEqual(try SourceSet(folder: cut).check(savedFiles(output, stream: video)).mismatched, [])
        try writer.close()
        try waitUntil("the producer says the FIFO ended", timeout: 20) { producer.stderr.contains("FRAMES \(fifo.path): the source ended") }
    }

    func testHTTPSIsRefusedAtStart() throws {
        let p = try launch(
            "producer", ["--broker", "127.0.0.1:9", "--id", id, "--frames", "https://cam.example/video.mjpg"], name: "producer", expectAlive: false)
        XCTAssertEqual(try waitForExit(p), 2)
        XCTAssertTrue(p.stderr.contains("reverse proxy"), p.stderr)
    }
}
