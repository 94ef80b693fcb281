import SimulationSupport
import Wire
import XCTest

@testable import BrokerCore

/// The cluster's block list: the decision with the higher stamp wins, whatever order decisions arrive in.
final class BlockListTests: XCTestCase {
    let other = ProducerID(rawValue: 0x00_0042)!

    func testTheNewerDecisionWinsInAnyOrder() {
        var a = BlockList(origin: 0xA)
        var b = BlockList(origin: 0xB)
        let block = a.decide(testProducer, blocked: true)!
        XCTAssertEqual(b.apply(block), .blocked)
        let unblock = b.decide(testProducer, blocked: false)!
        XCTAssertGreaterThan(unblock.stamp, block.stamp, "a decision is stamped above every one seen")
        XCTAssertEqual(a.apply(unblock), .unblocked)
        // The old block arriving late (a repeat, a replay) changes nothing anywhere.
        XCTAssertEqual(a.apply(block), .none)
        XCTAssertEqual(b.apply(block), .none)
        var c = BlockList(origin: 0xC)
        XCTAssertEqual(c.apply(unblock), .none, "an unblock of an id never blocked here changes nothing")
        XCTAssertEqual(c.apply(block), .none, "but it is remembered, so the older block that comes after it loses")
        XCTAssertFalse(c.isBlocked(testProducer))
        XCTAssertEqual(a.all, b.all)
        XCTAssertEqual(a.all, c.all)
    }

    func testConcurrentDecisionsAreOrderedAlikeEverywhere() {
        var a = BlockList(origin: 0xA)
        var b = BlockList(origin: 0xB)
        let fromA = a.decide(testProducer, blocked: true)!
        let fromB = b.decide(testProducer, blocked: false)!
        XCTAssertEqual(fromA.stamp >> 24, fromB.stamp >> 24, "the same logical time")
        a.apply(fromB)
        b.apply(fromA)
        XCTAssertEqual(a.all, b.all)
        XCTAssertFalse(a.isBlocked(testProducer), "the higher origin tag breaks the tie")
    }

    func testBlocksAreBoundedAndUnblocksForgottenOldestFirst() {
        var l = BlockList(origin: 1)
        for i in 1...BlockList.maxBlocked { XCTAssertNotNil(l.decide(ProducerID(rawValue: UInt32(i))!, blocked: true)) }
        XCTAssertNil(l.decide(ProducerID(rawValue: 0xFF_FFFF)!, blocked: true))
        let foreign = PeerBlockEntry(producer: ProducerID(rawValue: 0xFF_FFFE)!, blocked: true, stamp: 5_000 << 24)
        XCTAssertEqual(l.apply(foreign), .full, "a peer cannot push the list past its bound either")
        for i in 1...BlockList.maxBlocked { XCTAssertNotNil(l.decide(ProducerID(rawValue: UInt32(i))!, blocked: false)) }
        XCTAssertTrue(l.blocked.isEmpty)
        XCTAssertNotNil(l.decide(ProducerID(rawValue: 0xFF_FFFF)!, blocked: false))
        XCTAssertEqual(l.entries.count, BlockList.maxUnblocked)
        XCTAssertNil(l.entries[ProducerID(rawValue: 1)!], "the oldest unblock is forgotten first")
    }

    func testRevisionMovesOnlyWhenAnEntryChanges() {
        var l = BlockList(origin: 1)
        let e = l.decide(testProducer, blocked: true)!
        let r = l.revision
        l.apply(e)
        XCTAssertEqual(l.revision, r)
        l.apply(PeerBlockEntry(producer: other, blocked: false, stamp: 7))
        XCTAssertEqual(l.revision, r + 1, "a remembered unblock is state to keep too")
    }
}
