import ClientCore
import Viewer
import Wire
import XCTest

final class ViewerFlowTests: XCTestCase {
    let video = StreamID(rawValue: 0x1AAA_9901)
    let other = StreamID(rawValue: 0x2BBB_7701)

    func testAWindowOfFramesPerStreamThenDropsCounted() {
        var f = ViewerFlow(window: 3)
        XCTAssertEqual((0..<5).map { _ in f.admit(video) }, [true, true, true, false, false])
        XCTAssertEqual(f.dropped[video], 2)
        XCTAssertTrue(f.admit(other), "each stream has its own window")
        f.acknowledge(video)
        XCTAssertTrue(f.admit(video))
        XCTAssertFalse(f.admit(video))
        XCTAssertEqual(f.dropped[video], 3)
        XCTAssertNil(f.dropped[other])
    }

    func testStrayAcknowledgementsDoNotWidenTheWindow() {
        var f = ViewerFlow(window: 2)
        for _ in 0..<10 { f.acknowledge(video) }
        XCTAssertEqual(f.outstanding(video), 0)
        XCTAssertEqual((0..<3).map { _ in f.admit(video) }, [true, true, false])
    }

    func testAHiddenTabGetsNoVideoAndOwesNothing() {
        var f = ViewerFlow(window: 2)
        _ = f.admit(video)
        _ = f.admit(video)
        f.setHidden(true)
        XCTAssertFalse(f.admit(video))
        XCTAssertNil(f.dropped[video], "not sending to a hidden tab is not a drop")
        f.setHidden(false)
        XCTAssertEqual(f.outstanding(video), 0)
        XCTAssertTrue(f.admit(video))
    }

    func testUndoCountsADropAndFreesTheSlot() {
        var f = ViewerFlow(window: 1)
        XCTAssertTrue(f.admit(video))
        f.undo(video)
        XCTAssertEqual(f.dropped[video], 1)
        XCTAssertTrue(f.admit(video))
    }
}
