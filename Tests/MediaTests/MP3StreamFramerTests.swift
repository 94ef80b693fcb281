import TestRandom
import Media
import XCTest

final class MP3StreamFramerTests: XCTestCase {
    private typealias S = MediaSamples

    /// Feeds `bytes` in pieces of `size` (1 = byte by byte), draining after each, then finishes.
    private func split(_ bytes: [UInt8], by size: Int, framer: inout MP3StreamFramer) -> [[UInt8]] {
        var out: [[UInt8]] = []
        var offset = 0
        while offset < bytes.count {
            let end = min(offset + size, bytes.count)
            framer.receive(bytes[offset..<end])
            while let frame = framer.nextFrame() { out.append(frame) }
            XCTAssertLessThanOrEqual(framer.buffered, framer.maxBuffered)
            offset = end
        }
        return out + framer.finish()
    }

    private func split(_ bytes: [UInt8], by size: Int) -> [[UInt8]] {
        var framer = MP3StreamFramer()
        return split(bytes, by: size, framer: &framer)
    }

    func testByteByByteEqualsTheWholeBufferSplit() {
        let audio = (0..<6).map { S.mp3Frame(fill: UInt8($0)) }
        let stream = S.id3v2(body: 500, footer: true) + [9, 9, 0xFF] + audio.flatMap { $0 } + S.id3v1
        for size in [1, 2, 3, 7, 417, 418, 5000] {
            XCTAssertEqual(split(stream, by: size), audio, "pieces of \(size)")
        }
    }

    func testAFrameIsHandedOutOnceTheNextHeaderConfirmsIt() {
        var framer = MP3StreamFramer()
        let frame = S.mp3Frame()
        framer.receive(frame + frame.prefix(3))
        XCTAssertNil(framer.nextFrame())
        framer.receive([frame[3]])
        XCTAssertEqual(framer.nextFrame(), frame)
        XCTAssertNil(framer.nextFrame())
        XCTAssertEqual(framer.finish(), [], "the second frame is not whole")
        XCTAssertEqual(framer.garbageBytes, 4)
    }

    func testGarbageIsCountedAndTheFramerResynchronises() {
        var framer = MP3StreamFramer()
        let frame = S.mp3Frame()
        let garbage: [UInt8] = [0xFF, 0xFB, 0x90, 0x64] + [UInt8](repeating: 0xAB, count: 96)
        let out = split(frame + frame + garbage + frame + frame, by: 13, framer: &framer)
        XCTAssertEqual(out, [frame, frame, frame, frame])
        XCTAssertEqual(framer.garbageBytes, garbage.count)
        XCTAssertEqual(framer.frames, 4)
    }

    func testAHugeTagIsSkippedWithoutBeingBuffered() {
        var framer = MP3StreamFramer()
        let tag = S.id3v2(body: 1_000_000)
        let frame = S.mp3Frame()
        let out = split(tag + frame + frame, by: 4096, framer: &framer)
        XCTAssertEqual(out, [frame, frame])
        XCTAssertEqual(framer.tagBytes, tag.count)
        XCTAssertEqual(framer.garbageBytes, 0)
    }

    func testOverfeedingDropsTheOldestBytesCounted() {
        var framer = MP3StreamFramer(maxBuffered: 8192)
        let frame = S.mp3Frame()
        let stream = (0..<40).flatMap { _ in frame }
        framer.receive(stream)
        XCTAssertEqual(framer.buffered, 8192)
        XCTAssertEqual(framer.overflowBytes, stream.count - 8192)
        var out = 0
        while framer.nextFrame() != nil { out += 1 }
        out += framer.finish().count
        XCTAssertEqual(out, 8192 / 417)
    }

    func testHostileStreamsStayBounded() {
        var random = XorShift64(seed: 42)
        let frame = S.mp3Frame()
        for _ in 0..<15 {
            var framer = MP3StreamFramer()
            var fed = 0
            for _ in 0..<40 {
                var piece = (0..<random.below(2000)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
                if random.below(3) == 0 { piece += frame }
                if random.below(5) == 0 { piece += [0xFF, 0xFB, 0x90, 0x64] }
                fed += piece.count
                framer.receive(piece)
                while let out = framer.nextFrame() {
                    XCTAssertNoThrow(try MP3FrameHeader(out[...], at: 0))
                }
                XCTAssertLessThanOrEqual(framer.buffered, framer.maxBuffered)
            }
            _ = framer.finish()
            XCTAssertEqual(framer.buffered, 0)
        }
    }
}
