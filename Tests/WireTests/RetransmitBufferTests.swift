import SimulationSupport
import XCTest

@testable import Wire

final class RetransmitBufferTests: XCTestCase {
    func datagram(_ seq: UInt32) -> [UInt8] {
        frameDatagrams(seq, firstSequence: seq, size: 100)[0]
    }

    func testCapacityStaysWithinTheByteBudget() {
        for bytes in [16 * WireConstants.maxDatagram, 100_000, 1 << 20, 4 << 20, Limits().retransmitBufferBytes] {
            let b = RetransmitBuffer(bytes: bytes)
            XCTAssertLessThanOrEqual(b.capacity * WireConstants.maxDatagram, bytes, "buffer of \(bytes) bytes holds \(b.capacity) slots")
            XCTAssertGreaterThan(2 * b.capacity * WireConstants.maxDatagram, bytes, "buffer of \(bytes) bytes uses less than half of it")
            XCTAssertEqual(b.capacity & (b.capacity - 1), 0, "a power of two")
        }
        XCTAssertEqual(RetransmitBuffer(bytes: 0).capacity, 16, "never fewer than 16 slots")
    }

    func testHoldsTheMostRecentDatagramsOnly() {
        var b = RetransmitBuffer(bytes: 64 * WireConstants.maxDatagram)
        let n = UInt32(b.capacity)
        let start = UInt32.max - 20  // across the wraparound
        for i in 0..<(3 * n) {
            XCTAssertTrue(b.insert(sequence: start &+ i, datagram: datagram(start &+ i), now: 0))
            XCTAssertLessThanOrEqual(b.count, b.capacity)
        }
        XCTAssertEqual(b.count, b.capacity)
        let newest = start &+ (3 * n - 1)
        for back in 0..<n {
            XCTAssertTrue(b.contains(newest &- back))
            XCTAssertEqual(b.entry(newest &- back)?.datagram, datagram(newest &- back))
        }
        XCTAssertFalse(b.contains(newest &- n), "the oldest was overwritten")
        XCTAssertNil(b.entry(start))
        XCTAssertFalse(b.contains(newest &+ 1))
    }

    func testInsertingTheSameSequenceTwiceKeepsTheFirst() {
        var b = RetransmitBuffer(bytes: 0)
        XCTAssertTrue(b.insert(sequence: 5, datagram: datagram(5), now: 0))
        XCTAssertFalse(b.insert(sequence: 5, datagram: datagram(6), now: 10))
        XCTAssertEqual(b.entry(5)?.datagram, datagram(5))
        XCTAssertEqual(b.entry(5)?.lastSent, 0)
        XCTAssertEqual(b.count, 1)
    }

    func testResendSetsTheFlagAndIsThrottled() throws {
        var b = RetransmitBuffer(bytes: 0)
        b.insert(sequence: 7, datagram: datagram(7), now: 1_000)
        XCTAssertNil(b.resend(7, now: 1_000 + 9_999, minInterval: 10_000), "within one interval of the original send")
        let d = try XCTUnwrap(b.resend(7, now: 11_000, minInterval: 10_000))
        XCTAssertEqual(try DataHeader.parse(d[...]).flags, DataHeader.retransmitFlag)
        XCTAssertEqual(Array(d[33...]), Array(datagram(7)[33...]), "only the flag differs")
        XCTAssertEqual(b.entry(7)?.datagram[32], 0, "the stored copy is unchanged")
        XCTAssertEqual(b.entry(7)?.lastSent, 11_000)
        XCTAssertNil(b.resend(7, now: 20_999, minInterval: 10_000))
        XCTAssertNotNil(b.resend(7, now: 21_000, minInterval: 10_000))
        XCTAssertNil(b.resend(8, now: 50_000, minInterval: 0), "never held")
        XCTAssertNotNil(b.resend(7, now: 21_000, minInterval: 0), "no throttle asked for")
    }

    func testRemoveAll() {
        var b = RetransmitBuffer(bytes: 0)
        for s: UInt32 in 0..<10 { b.insert(sequence: s, datagram: datagram(s), now: 0) }
        XCTAssertEqual(b.count, 10)
        b.removeAll()
        XCTAssertEqual(b.count, 0)
        XCTAssertFalse(b.contains(3))
        XCTAssertNil(b.resend(3, now: 1_000_000, minInterval: 0))
    }
}
