import SimulationSupport
import XCTest

@testable import Wire

final class FrameAssemblerTests: XCTestCase {
    let budget: Int64 = 250_000

    /// The chunks (header and payload) of one frame; sequence numbers do not matter to the assembler.
    func chunks(_ number: UInt32, size: Int = 5000, capture: UInt64 = 0) -> [(DataHeader, ArraySlice<UInt8>)] {
        frameDatagrams(number, firstSequence: number &* 16, size: size, captureTime: capture, seed: frameSeed(number, size: size)).map { d in (try! DataHeader.parse(d[...]), d[WireConstants.dataHeaderSize...]) }
    }

    func frameBytes(_ number: UInt32, size: Int = 5000) -> [UInt8] { randomFrame(size, seed: frameSeed(number, size: size)) }
    func frameSeed(_ number: UInt32, size: Int) -> UInt64 { UInt64(number) &+ UInt64(size) << 32 }

    func add(_ a: inout FrameAssembler, _ c: (DataHeader, ArraySlice<UInt8>), now: Int64) -> [CompleteFrame] {
        a.add(c.0, payload: c.1, now: now, budget: budget)
    }

    func testDeliversCompleteFramesInOrderWhateverTheChunkOrder() {
        var a = FrameAssembler(stream: videoStream)
        var rng = SplitMix64(seed: 3)
        var all = (1...5).flatMap { chunks(UInt32($0)) }
        // Frame 1's first chunk leads, then everything shuffled.
        let first = all.removeFirst()
        all.shuffle(using: &rng)
        var out = add(&a, first, now: 0)
        for c in all { out += add(&a, c, now: 10) }
        XCTAssertEqual(out.map(\.number), [1, 2, 3, 4, 5])
        for f in out {
            XCTAssertEqual(f.bytes, frameBytes(f.number))
            XCTAssertEqual(f.stream, videoStream)
        }
        XCTAssertEqual(a.counters.delivered, 5)
        XCTAssertEqual(a.counters.dropped, 0)
        XCTAssertEqual(a.framesInFlight, 0)
        XCTAssertNil(a.deadline(budget: budget))
    }

    func testHoldsLaterFramesBehindAnIncompleteOneUntilItsBudgetRunsOut() {
        var a = FrameAssembler(stream: videoStream)
        var out: [CompleteFrame] = []
        for c in chunks(1) { out += add(&a, c, now: 0) }
        let two = chunks(2)
        out += add(&a, two[0], now: 1_000)  // frame 2 misses its other chunks
        for c in chunks(3) { out += add(&a, c, now: 2_000) }
        XCTAssertEqual(out.map(\.number), [1])
        XCTAssertEqual(a.deadline(budget: budget), 1_000 + budget)
        XCTAssertTrue(a.drain(now: 1_000 + budget - 1, budget: budget).isEmpty)
        let later = a.drain(now: 1_000 + budget, budget: budget)
        XCTAssertEqual(later.map(\.number), [3], "frame 2 is dropped whole, never handed on in part")
        XCTAssertEqual(a.counters.dropped, 1)
        // Frame 2's missing chunks arrive too late: counted, not delivered.
        XCTAssertTrue(add(&a, two[1], now: 300_000).isEmpty)
        XCTAssertEqual(a.counters.lateChunks, 1)
    }

    func testAFrameNeverSeenGivesUpOnTheBudgetOfTheNextOne() {
        var a = FrameAssembler(stream: videoStream)
        var out: [CompleteFrame] = []
        for c in chunks(1) { out += add(&a, c, now: 0) }
        for c in chunks(3) { out += add(&a, c, now: 50_000) }  // frame 2 lost entirely
        XCTAssertEqual(out.map(\.number), [1])
        XCTAssertEqual(a.deadline(budget: budget), 50_000 + budget)
        XCTAssertEqual(a.drain(now: 50_000 + budget, budget: budget).map(\.number), [3])
        XCTAssertEqual(a.counters.dropped, 1)
    }

    func testNeverHandsOnAPartialFrame() {
        // Random subsets of chunks, random order: whatever comes out is complete and exact.
        var rng = SplitMix64(seed: 11)
        var a = FrameAssembler(stream: videoStream, maxFramesInFlight: 8)
        var now: Int64 = 0
        var delivered: [UInt32] = []
        var sizes: [UInt32: Int] = [:]
        for n in UInt32(1)...300 {
            sizes[n] = rng.int(1...20_000)
            var cs = chunks(n, size: sizes[n]!)
            cs.shuffle(using: &rng)
            for c in cs where !rng.chance(0.05) {
                now += Int64(rng.int(0...3_000))
                for f in add(&a, c, now: now) {
                    XCTAssertEqual(f.bytes, frameBytes(f.number, size: sizes[f.number] ?? 0))
                    delivered.append(f.number)
                }
            }
            for f in a.drain(now: now, budget: budget) {
                XCTAssertEqual(f.bytes, frameBytes(f.number, size: sizes[f.number] ?? 0))
                delivered.append(f.number)
            }
        }
        XCTAssertEqual(delivered, delivered.sorted())
        XCTAssertEqual(Set(delivered).count, delivered.count)
        XCTAssertEqual(a.counters.delivered, delivered.count)
        XCTAssertGreaterThan(a.counters.dropped, 0)
        XCTAssertGreaterThan(delivered.count, 50)
    }

    func testFramesInFlightAreBounded() {
        var a = FrameAssembler(stream: videoStream, maxFramesInFlight: 4)
        var out: [CompleteFrame] = []
        // First chunk only of frames 1...10: each is incomplete.
        for n in UInt32(1)...10 {
            out += add(&a, chunks(n)[0], now: Int64(n))
            XCTAssertLessThanOrEqual(a.framesInFlight, 4)
        }
        XCTAssertTrue(out.isEmpty)
        XCTAssertEqual(a.counters.dropped, 6, "the oldest heads were dropped")
        XCTAssertEqual(a.next, 7)
        // The ones kept can still complete.
        for c in chunks(7).dropFirst() { out += add(&a, c, now: 20) }
        XCTAssertEqual(out.map(\.number), [7])
    }

    func testBytesInFlightAreBounded() {
        var a = FrameAssembler(stream: videoStream, maxFramesInFlight: 64, maxBytesInFlight: 50_000)
        for n in UInt32(1)...10 { _ = add(&a, chunks(n, size: 20_000)[0], now: 0) }
        XCTAssertLessThanOrEqual(a.framesInFlight, 2)
        XCTAssertEqual(a.counters.dropped, 8)
    }

    func testDuplicateAndInconsistentChunks() {
        var a = FrameAssembler(stream: videoStream)
        let one = chunks(1)
        XCTAssertTrue(add(&a, one[0], now: 0).isEmpty)
        XCTAssertTrue(add(&a, one[0], now: 1).isEmpty)
        XCTAssertEqual(a.counters.duplicateChunks, 1)
        // The same frame number with another length: refused, the frame is not corrupted.
        let other = chunks(1, size: 9000)
        XCTAssertTrue(add(&a, other[1], now: 2).isEmpty)
        let otherCapture = chunks(1, capture: 5)
        XCTAssertTrue(add(&a, otherCapture[1], now: 2).isEmpty)
        XCTAssertEqual(a.counters.inconsistent, 2)
        var out: [CompleteFrame] = []
        for c in one.dropFirst() { out += add(&a, c, now: 3) }
        XCTAssertEqual(out.first?.bytes, frameBytes(1))
        XCTAssertEqual(out.first?.firstSeen, 0)
    }

    func testFrameNumbersWrapAround() {
        var a = FrameAssembler(stream: videoStream)
        var out: [CompleteFrame] = []
        for n in [UInt32.max - 1, UInt32.max, 0, 1] {
            for c in chunks(n, size: 100) { out += add(&a, c, now: 0) }
        }
        XCTAssertEqual(out.map(\.number), [UInt32.max - 1, UInt32.max, 0, 1])
    }

    func testAnEarlierFrameMayStillArriveBeforeTheFirstDelivery() {
        // Joining mid-stream, chunks of frame 5 may overtake those of frame 4.
        var a = FrameAssembler(stream: videoStream)
        var out: [CompleteFrame] = []
        let four = chunks(4)
        out += add(&a, chunks(5)[0], now: 0)
        for c in four { out += add(&a, c, now: 1) }
        for c in chunks(5).dropFirst() { out += add(&a, c, now: 2) }
        XCTAssertEqual(out.map(\.number), [4, 5])
        // Once a frame was handed on, an earlier one is late.
        XCTAssertTrue(add(&a, chunks(3)[0], now: 3).isEmpty)
        XCTAssertEqual(a.counters.lateChunks, 1)
    }

    func testAJumpFarAheadResynchronises() {
        var a = FrameAssembler(stream: videoStream, maxFramesInFlight: 4)
        var out: [CompleteFrame] = []
        for c in chunks(1) { out += add(&a, c, now: 0) }
        _ = add(&a, chunks(2)[0], now: 0)
        for c in chunks(1_000_000) { out += add(&a, c, now: 1) }
        XCTAssertEqual(out.map(\.number), [1, 1_000_000], "no wait for the budget, and not a million frames counted as dropped")
        XCTAssertEqual(a.counters.dropped, 1)
    }

    func testResetForgetsEverything() {
        var a = FrameAssembler(stream: videoStream)
        _ = add(&a, chunks(1)[0], now: 0)
        a.reset()
        XCTAssertEqual(a.framesInFlight, 0)
        XCTAssertNil(a.next)
        var out: [CompleteFrame] = []
        for c in chunks(9) { out += add(&a, c, now: 1) }
        XCTAssertEqual(out.map(\.number), [9])
    }
}
