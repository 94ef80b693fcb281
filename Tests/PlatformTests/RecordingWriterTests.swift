import Foundation
import Recording
import XCTest

@testable import Platform
@testable import Wire

final class RecordingWriterTests: XCTestCase {
    static let media = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("producer/1AAA99")
    let p = ProducerID(hex: "1AAA99")!
    let t0: UInt64 = 1_796_615_880_000_000  // 2026-12-07T03:58:00Z
    let log = Logger(name: "test", level: .error)
    var dir = ""

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "recording-tests-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try Files.makeDirectories(dir)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    func frame(_ kind: StreamKind, _ n: Int, at capture: UInt64) throws -> CompleteFrame {
        let file = kind == .video ? "frames/frame\(n).jpg" : "audio/audio\(n).mp3"
        let bytes = Array(try Data(contentsOf: Self.media.appendingPathComponent(file)))
        return CompleteFrame(stream: StreamID(producer: p, kind: kind), number: UInt32(n), captureTime: capture, bytes: bytes, firstSeen: 0)
    }

    func testFramesBecomeAFinishedFileListedWithItsDuration() throws {
        let writer = try RecordingWriter(settings: RecorderSettings(root: dir), log: log)
        let thread = writer.start()
        for i in 0..<24 {
            if i % 12 == 0 { XCTAssertTrue(writer.submit(try frame(.audio, i / 12 + 1, at: t0 + UInt64(i) * 83_333))) }
            XCTAssertTrue(writer.submit(try frame(.video, i + 1, at: t0 + UInt64(i) * 83_333)))
        }
        writer.stop()
        thread.join()
        let list = RecordingIndex.scanWithDurations(dir)
        XCTAssertEqual(list.map(\.path), ["1AAA99/20261207T035800Z.mkv"])
        XCTAssertEqual(list.first?.startMicros, t0)
        XCTAssertEqual(list.first?.durationMillis ?? 0, 2000, accuracy: 1, "24 frames at 12 fps")
        let f = writer.figures()
        XCTAssertEqual(f.streams[StreamID(producer: p, kind: .video)]?.framesRecorded, 24)
        XCTAssertEqual(f.streams[StreamID(producer: p, kind: .audio)]?.framesRecorded, 2)
        XCTAssertEqual(f.bytesWritten, list.first?.bytes)
        XCTAssertEqual(f.openFiles, [:], "finished at stop")
    }

    func testAFullQueueDropsWholeFramesAndCountsThem() throws {
        var settings = RecorderSettings(root: dir)
        settings.limits.queueFrames = 4
        let writer = try RecordingWriter(settings: settings, log: log)  // no thread: nothing drains the queue
        let accepted = try (0..<10).filter { writer.submit(try frame(.video, $0 + 1, at: t0 + UInt64($0) * 83_333)) }
        XCTAssertEqual(accepted.count, 4)
        XCTAssertEqual(writer.figures().streams[StreamID(producer: p, kind: .video)]?.droppedQueueFull, 6)
    }

    func testRetentionRemovesTheOldestFilesBeyondTheSizeLimitButNoOtherFiles() throws {
        try Files.makeDirectories(dir + "/1AAA99")
        let names = ["20260101T000000Z.mkv", "20260102T000000Z.mkv", "20260103T000000Z.mkv", "notes.txt"]
        for n in names { try Files.write(dir + "/1AAA99/" + n, [UInt8](repeating: 0, count: 1000)) }
        var settings = RecorderSettings(root: dir)
        settings.maxBytes = 1500
        let writer = try RecordingWriter(settings: settings, log: log)
        let thread = writer.start()  // retention runs when the thread starts
        writer.stop()
        thread.join()
        let left = try Files.list(dir + "/1AAA99").sorted()
        XCTAssertEqual(left, ["20260103T000000Z.mkv", "notes.txt"], "oldest first; a file the recorder does not name is left alone")
        XCTAssertEqual(writer.figures().filesRemoved, 2)
        XCTAssertEqual(writer.figures().bytesRemoved, 2000)
    }
}
