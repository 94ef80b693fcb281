import Foundation
import Media
import XCTest

final class OggOpusMuxerTests: XCTestCase {
    func testCRCCheckValue() {
        // CRC-32 with polynomial 0x04C11DB7, initial 0, unreflected, no final XOR: "123456789" gives 0x89A1897F.
        XCTAssertEqual(OggCRC.checksum(Array("123456789".utf8)), 0x89A1_897F)
        XCTAssertEqual(OggCRC.checksum([UInt8]()), 0)
    }

    func testHeaderPagesByteForByte() {
        var m = OggOpusMuxer(serial: 0x0102_0304, channels: 1, vendor: "vb")
        XCTAssertEqual(
            m.opusHead, [0x4F, 0x70, 0x75, 0x73, 0x48, 0x65, 0x61, 0x64, 0x01, 0x01, 0x38, 0x01, 0x80, 0xBB, 0x00, 0x00, 0x00, 0x00, 0x00])
        XCTAssertEqual(m.opusTags, Array("OpusTags".utf8) + [2, 0, 0, 0, 0x76, 0x62, 0, 0, 0, 0])
        let bytes = m.headers()
        let pages = OggReader.pages(bytes)
        XCTAssertEqual(pages.count, 2)
        // "OggS", version 0, BOS, granule 0, serial LE, sequence 0, CRC, 1 segment of 19.
        XCTAssertEqual(Array(bytes[0..<6]), [0x4F, 0x67, 0x67, 0x53, 0x00, 0x02])
        XCTAssertEqual(Array(bytes[6..<14]), [0, 0, 0, 0, 0, 0, 0, 0])
        XCTAssertEqual(Array(bytes[14..<22]), [0x04, 0x03, 0x02, 0x01, 0, 0, 0, 0])
        XCTAssertEqual(Array(bytes[26..<28]), [1, 19])
        XCTAssertEqual(pages[1].flags, 0)
        XCTAssertEqual(pages[1].sequence, 1)
        for p in pages {
            var zeroed = p.bytes
            for i in 22..<26 { zeroed[i] = 0 }
            XCTAssertEqual(OggCRC.checksum(zeroed), p.crc)
        }
    }

    func testGranulesAndSegmentation() {
        var m = OggOpusMuxer(serial: 9, channels: 2)
        _ = m.headers()
        // Three 20 ms packets: one page, granule 2880, lacing 255,45 / 0 (a packet of 255 bytes ends on a 0) / 10.
        let small = m.pages([
            [0xFC] + Array(repeating: 1, count: 299), [0xFC] + Array(repeating: 2, count: 254), [0xFC] + Array(repeating: 3, count: 9),
        ])
        var pages = OggReader.pages(small)
        XCTAssertEqual(pages.count, 1)
        XCTAssertEqual(pages[0].segments, [255, 45, 255, 0, 10])
        XCTAssertEqual(pages[0].granule, 2880)
        XCTAssertEqual(pages[0].sequence, 2)
        // A packet over the Opus limit is skipped. Five of 20,000 bytes (79 segments each) fill a page of 255
        // segments in the fourth, which is continued on the next page; the granule counts the packets that ended.
        let big = (1...5).map { [0xFC] + Array(repeating: UInt8($0), count: 19_999) }
        pages = OggReader.pages(m.pages([Array(repeating: 0xFC, count: 70_000)] + big, last: true))
        XCTAssertEqual(m.skippedPackets, 1)
        XCTAssertEqual(pages.map(\.segments.count), [255, 61 + 79])
        XCTAssertEqual(pages.map(\.granule), [2880 + 3 * 960, 2880 + 5 * 960])
        XCTAssertEqual(pages.map(\.flags), [0, OggPage.continued | OggPage.endOfStream])
        XCTAssertEqual(pages.map(\.sequence), [3, 4])
        XCTAssertEqual(OggReader.packets(pages), big)
    }

    /// Real Opus packets from ffmpeg's libopus, re-muxed in chunks of five: ffmpeg decodes the file with no error
    /// line, ffprobe sees the same packets, and our pages match ffmpeg's own byte for byte where the fields agree.
    func testFFmpegReadsWhatWeWrite() throws {
        let dir = try FFmpeg.directory(for: self)
        let source = dir.appendingPathComponent("source.ogg").path
        _ = try FFmpeg.run(
            "ffmpeg", ["-v", "error", "-f", "lavfi", "-i", "sine=frequency=440:duration=3", "-ac", "1", "-c:a", "libopus", "-b:a", "32k", source])
        let theirs = OggReader.pages(try [UInt8](Data(contentsOf: URL(fileURLWithPath: source))))
        // Their pages rebuilt with our encoder from their own fields: identical bytes, CRC included.
        for p in theirs {
            XCTAssertEqual(
                OggPage.encode(flags: p.flags, granule: p.granule, serial: p.serial, sequence: p.sequence, segments: p.segments, data: p.data[...]),
                p.bytes)
        }
        let packets = Array(OggReader.packets(theirs).dropFirst(2))
        XCTAssertGreaterThan(packets.count, 100)

        var m = OggOpusMuxer(serial: 42, channels: 1)
        var ours = m.headers()
        var i = 0
        while i < packets.count {
            let chunk = OpusChunk(channels: 1, packets: Array(packets[i..<min(i + 5, packets.count)]))
            let decoded = try OpusChunk.decode(chunk.encode())
            ours += m.pages(decoded.packets, last: i + 5 >= packets.count)
            i += 5
        }
        let file = dir.appendingPathComponent("ours.ogg").path
        try Data(ours).write(to: URL(fileURLWithPath: file))
        let errors = try Self.stderr(of: "ffmpeg", ["-v", "error", "-i", file, "-f", "null", "-"])
        XCTAssertEqual(errors, "", "ffmpeg complained")
        let probe = String(
            decoding: try FFmpeg.run("ffprobe", ["-v", "error", "-show_entries", "packet=size", "-of", "csv=p=0", file]), as: UTF8.self)
        XCTAssertEqual(probe.split(separator: "\n").compactMap { Int($0.split(separator: ",").first ?? "") }, packets.map(\.count))
        XCTAssertEqual(OggReader.packets(OggReader.pages(ours)).dropFirst(2).map { $0 }, packets)
    }

    static func stderr(of tool: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try FFmpeg.require(tool))
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let data = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        return String(decoding: data, as: UTF8.self)
    }
}
