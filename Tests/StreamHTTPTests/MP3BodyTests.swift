import Foundation
import Media
import StreamHTTP
import XCTest

final class MP3BodyTests: XCTestCase {
    /// MPEG-1 layer III, 64 kbit/s, 44.1 kHz, mono: 208-byte frames.
    private func frame(_ fill: UInt8, info: String? = nil) -> [UInt8] {
        var f = [0xFF, 0xFB, 0x50, 0xC4] + [UInt8](repeating: fill, count: 204)
        if let info { f.replaceSubrange(21..<25, with: Array(info.utf8)) }
        return f
    }

    private let id3v2: [UInt8] = Array("ID3".utf8) + [4, 0, 0, 0, 0, 0, 10] + [UInt8](repeating: 0x41, count: 10)
    private let id3v1: [UInt8] = Array("TAG".utf8) + [UInt8](repeating: 0x20, count: 125)

    func testTagsAndTheInfoFrameAreLeftOutAndTheFramesAreOneSlice() {
        let audio = frame(1) + frame(2) + frame(3)
        let chunk = id3v2 + frame(0, info: "Info") + audio + id3v1
        let pieces = MP3Body.frames(of: chunk)
        XCTAssertEqual(pieces.count, 1, "contiguous frames go out as one slice")
        XCTAssertEqual(pieces.flatMap { Array($0) }, audio)
        XCTAssertEqual(pieces[0].startIndex, id3v2.count + 208, "a slice of the chunk itself, not a copy")
    }

    func testXingAndVBRIHeadersAreRecognised() {
        XCTAssertTrue(MP3Body.isInfoFrame(frame(0, info: "Xing")[...]))
        var vbri = frame(0)
        vbri.replaceSubrange(36..<40, with: Array("VBRI".utf8))
        XCTAssertTrue(MP3Body.isInfoFrame(vbri[...]))
        XCTAssertFalse(MP3Body.isInfoFrame(frame(0x58)[...]))
    }

    /// A frame is taken only when the next header confirms it: the one before the garbage is not, so the run splits.
    func testGarbageBetweenFramesSplitsTheRunAndATruncatedLastFrameIsDropped() {
        let chunk = frame(1) + frame(2) + [0x00, 0x13, 0x37] + frame(3) + Array(frame(4).prefix(100))
        let pieces = MP3Body.frames(of: chunk)
        XCTAssertEqual(pieces.map { Array($0) }, [frame(1), frame(3)])
    }

    func testHostileChunksGiveNothing() {
        XCTAssertEqual(MP3Body.frames(of: []).count, 0)
        XCTAssertEqual(MP3Body.frames(of: [0xFF, 0xFB, 0x50]).count, 0)
        XCTAssertEqual(MP3Body.frames(of: [UInt8](repeating: 0xFF, count: 5000)).count, 0)
        XCTAssertEqual(MP3Body.frames(of: id3v2).count, 0)
    }

    func testTheSampleMediaChunksAreWholeFrames() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../producer/1AAA99/audio/audio1.mp3")
        let chunk = try [UInt8](Data(contentsOf: url))
        let pieces = MP3Body.frames(of: chunk)
        XCTAssertFalse(pieces.isEmpty)
        XCTAssertEqual(pieces.reduce(0) { $0 + $1.count } + MP3Frames.frames(in: chunk[...]).filter { MP3Body.isInfoFrame(chunk[$0]) }.reduce(0) { $0 + $1.count },
            MP3Frames.frames(in: chunk[...]).reduce(0) { $0 + $1.count })
    }
}
