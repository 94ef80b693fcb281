import Foundation
import Media
import XCTest

/// The framers against what ffmpeg writes and cuts itself: byte for byte.
final class RealStreamTests: XCTestCase {
    func testJPEGFramerCutsAnMJPEGStreamAsFFmpegDoes() throws {
        let dir = try FFmpeg.directory(for: self)
        let stream = dir.appendingPathComponent("stream.mjpeg").path
        _ = try FFmpeg.run(
            "ffmpeg", ["-v", "error", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-frames:v", "30", "-q:v", "5", "-f", "mjpeg", stream])
        _ = try FFmpeg.run("ffmpeg", ["-v", "error", "-i", stream, "-c", "copy", "-f", "image2", dir.appendingPathComponent("%03d.jpg").path])
        let expected = try (1...30).map { try [UInt8](Data(contentsOf: dir.appendingPathComponent(String(format: "%03d.jpg", $0)))) }
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: stream)))

        for size in [1, 1000, 65_536] {
            var framer = JPEGFramer()
            var frames: [[UInt8]] = []
            var offset = 0
            while offset < bytes.count {
                framer.receive(bytes[offset..<min(offset + size, bytes.count)])
                while let frame = framer.nextFrame() { frames.append(frame) }
                offset += size
            }
            XCTAssertEqual(frames.count, 30, "pieces of \(size)")
            XCTAssertTrue(frames == expected, "pieces of \(size): frames differ from ffmpeg's image2 output")
            XCTAssertEqual(framer.droppedBytes, 0)
        }
    }

    func testMP3FramesMatchFFprobesPackets() throws {
        let dir = try FFmpeg.directory(for: self)
        let file = dir.appendingPathComponent("sine.mp3").path
        _ = try FFmpeg.run(
            "ffmpeg", ["-v", "error", "-f", "lavfi", "-i", "sine=frequency=440:duration=3", "-c:a", "libmp3lame", "-b:a", "96k", file])
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: file)))
        let probe = String(decoding: try FFmpeg.run("ffprobe", ["-v", "error", "-show_entries", "packet=pos,size", "-of", "compact=p=0", file]), as: UTF8.self)
        let packets = probe.split(separator: "\n").compactMap(Self.packetRange)
        XCTAssertGreaterThan(packets.count, 100)

        let frames = MP3Frames.frames(in: bytes[...])
        // ffmpeg's first frame is the Xing/Info header, a valid silent frame the demuxer reads but does not return.
        XCTAssertEqual(Array(frames.dropFirst()), packets)
        XCTAssertGreaterThan(frames.first?.lowerBound ?? 0, 10, "the ID3v2 tag ffmpeg writes is skipped")

        var framer = MP3StreamFramer()
        var streamed: [[UInt8]] = []
        for offset in stride(from: 0, to: bytes.count, by: 333) {
            framer.receive(bytes[offset..<min(offset + 333, bytes.count)])
            while let frame = framer.nextFrame() { streamed.append(frame) }
        }
        streamed += framer.finish()
        XCTAssertTrue(streamed == frames.map { Array(bytes[$0]) }, "the stream framer agrees with the whole-buffer split")
        XCTAssertEqual(framer.garbageBytes, 0)
    }

    func testEverySampleRateFamilyIsFramed() throws {
        for (rate, codec) in [(8000, "libmp3lame"), (22_050, "libmp3lame"), (48_000, "libmp3lame"), (44_100, "mp2")] {
            let bytes = try FFmpeg.run(
                "ffmpeg", ["-v", "error", "-f", "lavfi", "-i", "sine=duration=1:sample_rate=\(rate)", "-c:a", codec, "-f", codec == "mp2" ? "mp2" : "mp3", "-"])
            let frames = MP3Frames.frames(in: bytes[...])
            let covered = frames.reduce(0) { $0 + $1.count }
            let header = try MP3FrameHeader(bytes[...], at: frames[0].lowerBound)
            XCTAssertEqual(header.sampleRate, rate)
            XCTAssertGreaterThan(covered * 10, bytes.count * 9, "\(codec) at \(rate) Hz: nearly all bytes are frames")
            let microseconds = frames.count * header.durationMicros
            XCTAssertTrue((900_000...1_200_000).contains(microseconds), "\(codec) at \(rate) Hz: \(microseconds) µs of frames")
        }
    }

    /// `size=417|pos=462|` as the byte range ffprobe gives the packet.
    private static func packetRange(_ line: Substring) -> Range<Int>? {
        var fields: [Substring: Int] = [:]
        for pair in line.split(separator: "|") {
            let parts = pair.split(separator: "=")
            if parts.count == 2, let value = Int(parts[1]) { fields[parts[0]] = value }
        }
        guard let size = fields["size"], let pos = fields["pos"] else { return nil }
        return pos..<pos + size
    }
}
