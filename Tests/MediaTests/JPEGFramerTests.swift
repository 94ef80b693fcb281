import TestRandom
import Media
import XCTest

final class JPEGFramerTests: XCTestCase {
    private typealias S = MediaSamples

    private func split(_ bytes: [UInt8], by size: Int, framer: inout JPEGFramer) -> [[UInt8]] {
        var out: [[UInt8]] = []
        var offset = 0
        while offset < bytes.count {
            let end = min(offset + size, bytes.count)
            framer.receive(bytes[offset..<end])
            while let frame = framer.nextFrame() { out.append(frame) }
            offset = end
        }
        framer.finish()
        return out
    }

    private func split(_ bytes: [UInt8], by size: Int = 1) -> [[UInt8]] {
        var framer = JPEGFramer()
        return split(bytes, by: size, framer: &framer)
    }

    func testMarkersNotFFD9AloneEndAFrame() {
        let jpegs = (1...4).map { S.jpeg(id: $0) }
        for size in [1, 2, 3, 5, 64, 10_000] {
            XCTAssertEqual(split(jpegs.flatMap { $0 }, by: size), jpegs, "pieces of \(size)")
        }
    }

    func testProgressiveSegmentsBetweenScansAreFollowed() {
        var progressive = Array(S.jpeg(id: 3).dropLast(2))
        progressive += S.segment(0xC4, [0x10, 0xFF, 0xD9, 0x00])
        progressive += S.segment(0xDA, [1, 1, 0, 0, 63, 0]) + [0x11, 0xFF, 0x00, 0x22, 0xFF, 0xD9]
        XCTAssertEqual(split(progressive + S.jpeg(id: 4)), [progressive, S.jpeg(id: 4)])
    }

    func testGarbageBetweenFramesIsCounted() {
        var framer = JPEGFramer()
        let garbage: [UInt8] = [0, 1, 0xFF, 0xD9, 0xFF, 0xFF, 7]
        let out = split(garbage + S.jpeg(id: 1) + garbage + S.jpeg(id: 2) + garbage, by: 3, framer: &framer)
        XCTAssertEqual(out, [S.jpeg(id: 1), S.jpeg(id: 2)])
        XCTAssertEqual(framer.droppedBytes, 3 * garbage.count)
        XCTAssertEqual(framer.frames, 2)
        XCTAssertEqual(framer.brokenFrames, 0)
    }

    func testATruncatedFrameIsDroppedWholeAtTheNextSOI() {
        var framer = JPEGFramer()
        // Cut in the entropy data, in the scan header (the next SOI must not be read as its fields), at the end.
        let cuts = [Array(S.jpeg(id: 1).prefix(120)), Array(S.jpeg(id: 1).prefix(100))]
        let out = split(cuts[0] + S.jpeg(id: 2) + cuts[1] + S.jpeg(id: 3) + S.jpeg(id: 4).prefix(50), by: 1, framer: &framer)
        XCTAssertEqual(out, [S.jpeg(id: 2), S.jpeg(id: 3)])
        XCTAssertEqual(framer.brokenFrames, 3, "two cut by the next SOI, one by the end of the source")
        XCTAssertEqual(framer.droppedBytes, 270)
        XCTAssertEqual(framer.buffered, 0)
    }

    func testBrokenStructureIsDropped() {
        let sos = S.segment(0xDA, [1, 1, 0, 0, 63, 0])
        let broken: [[UInt8]] = [
            [0xFF, 0xD8, 0x12, 0x34],  // no marker after SOI
            [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x01],  // a segment length below 2
            [0xFF, 0xD8, 0xFF, 0x00],  // a stuffed byte outside entropy data
            [0xFF, 0xD8, 0xFF, 0xD9],  // EOI with no scan
            [0xFF, 0xD8] + sos + [0x01],  // cut in its entropy data: the next frame's SOI starts it again
        ]
        for bytes in broken {
            var framer = JPEGFramer()
            let out = split(bytes + S.jpeg(id: 9), by: 1, framer: &framer)
            XCTAssertEqual(out, [S.jpeg(id: 9)], "\(bytes)")
            XCTAssertEqual(framer.brokenFrames, 1, "\(bytes)")
        }
    }

    func testOversizeFramesAreDroppedWholeAndTheBufferStaysBounded() {
        var framer = JPEGFramer(maxFrameBytes: 300)
        let big = S.jpeg(id: 1, entropy: 5000)
        let small = S.jpeg(id: 2)
        var out: [[UInt8]] = []
        for byte in small + big + small {
            framer.receive([byte])
            while let frame = framer.nextFrame() { out.append(frame) }
            XCTAssertLessThanOrEqual(framer.buffered, 302)
        }
        XCTAssertEqual(out, [small, small])
        XCTAssertEqual(framer.oversizeFrames, 1)
        XCTAssertEqual(framer.droppedBytes, big.count)
    }

    func testAFrameOfExactlyTheLimitPasses() {
        let jpeg = S.jpeg(id: 5)
        var exact = JPEGFramer(maxFrameBytes: jpeg.count)
        XCTAssertEqual(split(jpeg, by: 1, framer: &exact), [jpeg])
        var under = JPEGFramer(maxFrameBytes: jpeg.count - 1)
        XCTAssertEqual(split(jpeg, by: 1000, framer: &under), [])
        XCTAssertEqual(under.oversizeFrames, 1)
    }

    func testEndlessFillBytesAreBounded() {
        var framer = JPEGFramer(maxFrameBytes: 1000)
        framer.receive([0xFF, 0xD8] + [UInt8](repeating: 0xFF, count: 5000))
        XCTAssertNil(framer.nextFrame())
        XCTAssertEqual(framer.oversizeFrames, 1)
        framer.receive(S.jpeg(id: 1))
        XCTAssertEqual(framer.nextFrame(), S.jpeg(id: 1))
    }

    func testHostileStreamsNeverTrapAndOnlyWholeFramesComeOut() {
        var random = XorShift64(seed: 7)
        let pieces: [[UInt8]] = [[0xFF, 0xD8], [0xFF, 0xD9], [0xFF, 0xDA, 0, 2], [0xFF], [0xFF, 0x00], S.jpeg(id: 1)]
        for _ in 0..<100 {
            var framer = JPEGFramer(maxFrameBytes: 4096)
            for _ in 0..<60 {
                var piece = (0..<random.below(200)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
                piece += pieces[random.below(pieces.count)]
                framer.receive(piece)
                while let frame = framer.nextFrame() {
                    XCTAssertEqual(Array(frame.prefix(2)), [0xFF, 0xD8])
                    XCTAssertEqual(Array(frame.suffix(2)), [0xFF, 0xD9])
                    XCTAssertLessThanOrEqual(frame.count, 4096)
                }
                XCTAssertLessThanOrEqual(framer.buffered, 4096 + piece.count)
            }
        }
    }
}
