import SimulationSupport
import XCTest

@testable import Wire

final class FrameCacheTests: XCTestCase {
    func datagrams(frame: UInt32, size: Int = 4000) -> [[UInt8]] {
        frameDatagrams(frame, firstSequence: frame * 10, size: size)
    }

    func add(_ cache: inout FrameCache, _ d: [UInt8]) -> Bool {
        cache.add(try! DataHeader.parse(d[...]), datagram: d)
    }

    func testKeepsTheLastCompleteFrame() {
        var cache = FrameCache()
        XCTAssertNil(cache.lastCompleteNumber)
        let one = datagrams(frame: 1)
        XCTAssertFalse(add(&cache, one[2]))
        XCTAssertFalse(add(&cache, one[0]))
        XCTAssertFalse(add(&cache, one[0]), "a duplicate does not count")
        XCTAssertTrue(add(&cache, one[1]))
        XCTAssertEqual(cache.lastCompleteNumber, 1)
        XCTAssertEqual(cache.lastComplete, one, "in chunk order")
        XCTAssertEqual(cache.framesCompleted, 1)

        let two = datagrams(frame: 2)
        for d in two { _ = add(&cache, d) }
        XCTAssertEqual(cache.lastCompleteNumber, 2)
        XCTAssertEqual(cache.lastComplete, two)
        // An older frame completing late does not replace a newer one.
        XCTAssertFalse(add(&cache, one[0]))
        XCTAssertEqual(cache.lastComplete, two)
        cache.reset()
        XCTAssertNil(cache.lastCompleteNumber)
        XCTAssertTrue(cache.lastComplete.isEmpty)
    }

    func testBuildingFramesAreBounded() {
        var cache = FrameCache(maxBuilding: 4)
        // First chunks only of 20 frames: none completes, at most four are tracked.
        for f: UInt32 in 1...20 { XCTAssertFalse(add(&cache, datagrams(frame: f)[0])) }
        // The oldest were forgotten: completing frame 1 is no longer possible...
        for d in datagrams(frame: 1).dropFirst() { XCTAssertFalse(add(&cache, d)) }
        XCTAssertNil(cache.lastCompleteNumber)
        // ...while the newest still completes.
        for d in datagrams(frame: 20).dropFirst() { _ = add(&cache, d) }
        XCTAssertEqual(cache.lastCompleteNumber, 20)
    }
}
