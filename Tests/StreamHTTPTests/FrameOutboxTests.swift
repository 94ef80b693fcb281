import StreamHTTP
import XCTest

final class FrameOutboxTests: XCTestCase {
    private func frame(_ n: Int, _ byte: UInt8 = 1) -> [ArraySlice<UInt8>] {
        [[byte, byte][...], [UInt8](repeating: byte, count: n - 2)[...]]
    }

    func testFramesBeyondTheLimitsAreRefusedWholeAndCounted() {
        var o = FrameOutbox(limits: .init(maxFrames: 2, maxBytes: 1000))
        XCTAssertTrue(o.push(frame(400)))
        XCTAssertTrue(o.push(frame(400)))
        XCTAssertFalse(o.push(frame(10)), "at most two frames")
        o.consume(300)
        XCTAssertFalse(o.push(frame(300)), "two frames still queued, the first one in part")
        o.consume(100)
        XCTAssertEqual(o.queuedBytes, 400)
        XCTAssertFalse(o.push(frame(601)), "400 + 601 bytes is over 1000")
        XCTAssertTrue(o.push(frame(600)))
        XCTAssertEqual(o.dropped, 3)
        XCTAssertEqual(o.sentFrames, 1)
    }

    func testAFrameLargerThanTheBytesLimitStillGoesIntoAnEmptyOutbox() {
        var o = FrameOutbox(limits: .init(maxFrames: 4, maxBytes: 100))
        XCTAssertTrue(o.push(frame(500)))
        XCTAssertFalse(o.push(frame(10)))
    }

    /// Partial writes in odd sizes: the bytes come out in order, whole frames are counted as they complete.
    func testPartialWritesAcrossPiecesAndFrames() {
        var o = FrameOutbox(limits: .init(maxFrames: 8, maxBytes: 1 << 20))
        o.pushControl(Array("head".utf8))
        let a: [ArraySlice<UInt8>] = [[1, 2, 3][...], [4][...], [5, 6][...]]
        let b: [ArraySlice<UInt8>] = [[7, 8, 9, 10][...]]
        o.push(a)
        o.push(b)
        var out: [UInt8] = []
        for step in [3, 2, 1, 4, 1, 3] {
            let pending = o.pending(max: 3).flatMap { Array($0) }
            let n = min(step, pending.count)
            out += pending.prefix(n)
            o.consume(n)
        }
        XCTAssertEqual(out, Array("head".utf8) + [1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
        XCTAssertTrue(o.isEmpty)
        XCTAssertEqual(o.sentFrames, 2, "the opening is not a frame")
        XCTAssertEqual(o.sentBytes, 14)
    }

    func testPendingIsBoundedInPieces() {
        var o = FrameOutbox()
        for _ in 0..<5 { o.push(frame(10)) }
        XCTAssertEqual(o.pending(max: 3).count, 3)
        XCTAssertEqual(o.pending(max: 100).count, 10)
    }

    func testEmptyFramesCostNothing() {
        var o = FrameOutbox()
        XCTAssertTrue(o.push([]))
        XCTAssertTrue(o.isEmpty)
    }
}
