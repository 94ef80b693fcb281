import SimulationSupport
import XCTest

@testable import Wire

final class LimitsTests: XCTestCase {
    func testWireConstantsAreConsistent() {
        XCTAssertEqual(WireConstants.chunkPayload, 1356)
        XCTAssertEqual(WireConstants.maxListEntriesPerDatagram, 85)
        XCTAssertLessThanOrEqual(
            WireConstants.listHeaderSize + WireConstants.maxListEntriesPerDatagram * WireConstants.listEntrySize + ControlSeal.trailerSize,
            WireConstants.maxDatagram, "a full LIST_REPLY page, sealed, fits a datagram")
        XCTAssertLessThanOrEqual(24 + 6 * WireConstants.maxNackRanges, WireConstants.maxDatagram)
        XCTAssertLessThanOrEqual(26 + 8 * WireConstants.maxStreamsPerProducer + StreamKeys.proofBytes, WireConstants.maxDatagram)
        XCTAssertLessThanOrEqual(10 + WireConstants.maxReasonBytes, WireConstants.maxDatagram)
    }

    func testDerivedLimits() {
        let limits = Limits()
        XCTAssertEqual(limits.maxChunksPerFrame, 774)
        XCTAssertLessThanOrEqual(limits.maxChunksPerFrame, Int(UInt16.max))
        var small = Limits()
        small.maxFrameBytes = WireConstants.chunkPayload
        XCTAssertEqual(small.maxChunksPerFrame, 1)
        small.maxFrameBytes += 1
        XCTAssertEqual(small.maxChunksPerFrame, 2)
        XCTAssertEqual(Timers().leaseDuration, 3_000_000)
        XCTAssertLessThan(Timers().minRetryInterval, Timers().maxRetryInterval)
        XCTAssertLessThan(Timers().nackReorderDelay, Timers().latencyBudget)
    }
}
