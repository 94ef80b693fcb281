import TestRandom
import Media
import XCTest

final class MP3FramesTests: XCTestCase {
    private typealias S = MediaSamples

    private func frames(_ bytes: [UInt8]) -> [[UInt8]] {
        MP3Frames.frames(in: bytes[...]).map { Array(bytes[$0]) }
    }

    func testConsecutiveFramesAreAllFound() {
        let frames = (0..<5).map { S.mp3Frame(fill: UInt8($0)) }
        XCTAssertEqual(self.frames(frames.flatMap { $0 }), frames)
    }

    func testTagsAreSkipped() {
        let audio = [S.mp3Frame(fill: 1), S.mp3Frame(fill: 2)]
        let file = S.id3v2(body: 300, footer: true) + audio.flatMap { $0 } + S.id3v1
        XCTAssertEqual(frames(file), audio)
        // A tag between two concatenated files, and a frame followed directly by a tag.
        let joined = audio[0] + S.id3v2(body: 20) + audio[1]
        XCTAssertEqual(frames(joined), audio)
    }

    func testGarbageAndAPartialFirstFrameAreSkipped() {
        let good = [S.mp3Frame(fill: 7), S.mp3Frame(fill: 8)]
        let partial = Array(S.mp3Frame(fill: 9).suffix(100))
        // A lone valid-looking header in garbage is not confirmed by a following header.
        let garbage: [UInt8] = [1, 2, 0xFF, 0xFB, 0x90, 0x64, 3, 0xFF, 0xFF, 0xFF]
        XCTAssertEqual(frames(partial + garbage + good.flatMap { $0 }), good)
    }

    func testTruncatedLastFrameIsLeftOut() {
        let good = S.mp3Frame(fill: 1)
        let cut = Array(S.mp3Frame(fill: 2).prefix(200))
        XCTAssertEqual(frames(good + good + cut), [good, good])
    }

    func testAnInconsistentFollowerDoesNotConfirm() {
        // A 44.1 kHz candidate followed by a 48 kHz header is a false sync, unless it ends the buffer.
        let at441 = S.mp3Frame()
        let at48 = S.mp3Frame([0xFF, 0xFB, 0x94, 0x64])
        XCTAssertEqual(frames(at441 + at48 + at48), [at48, at48])
    }

    func testSliceIndicesAreKept() {
        let frame = S.mp3Frame()
        let bytes = [0, 0, 0] + frame
        XCTAssertEqual(MP3Frames.frames(in: bytes[3...]), [3..<(3 + frame.count)])
    }

    func testHostileInputNeverTraps() {
        var random = XorShift64(seed: 0x5EED)
        let frame = S.mp3Frame()
        for _ in 0..<300 {
            var bytes = (0..<random.below(3000)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            if random.below(2) == 0 { bytes.insert(contentsOf: frame, at: random.below(bytes.count + 1)) }
            if random.below(3) == 0 { bytes.insert(contentsOf: [0x49, 0x44, 0x33, 3, 0, 0, 0x7F, 0x7F, 0x7F, 0x7F], at: 0) }
            var end = bytes.startIndex
            for range in MP3Frames.frames(in: bytes[...]) {
                XCTAssertGreaterThanOrEqual(range.lowerBound, end)
                XCTAssertNoThrow(try MP3FrameHeader(bytes[...], at: range.lowerBound))
                end = range.upperBound
            }
        }
    }
}
