import Wire
import XCTest

@testable import Impairment

final class ImpairmentTests: XCTestCase {
    typealias Conditions = Impairment.Conditions

    /// A datagram with a wire header (magic, version, type) and a small payload.
    func datagram(_ type: MessageType, payload: Int = 16) -> [UInt8] {
        [0x56, 0x42, WireConstants.version, type.rawValue] + [UInt8](repeating: 0xEE, count: payload)
    }

    func decisions(_ conditions: Conditions, seed: UInt64, count: Int, type: MessageType = .data) -> [Impairment.Decision] {
        var imp = Impairment(conditions: conditions, seed: seed)
        let d = datagram(type)
        return (0..<count).map { _ in imp.decide(d) }
    }

    // MARK: Loss

    func testNoLossDeliversEveryDatagramOnceAfterTheBaseDelay() {
        var imp = Impairment(conditions: Conditions(baseDelay: 2_500), seed: 1)
        for type in MessageType.allCases {
            for _ in 0..<100 {
                let d = imp.decide(datagram(type))
                XCTAssertEqual(d.delays, [2_500])
                XCTAssertFalse(d.lost)
                XCTAssertFalse(d.duplicated)
            }
        }
        XCTAssertEqual(imp.seen, 100 * MessageType.allCases.count)
        XCTAssertEqual(imp.lost, 0)
        XCTAssertEqual(imp.duplicated, 0)
        XCTAssertEqual(imp.delayed, 0)
    }

    func testTheDefaultConditionsAreAPerfectLink() {
        let c = Conditions()
        XCTAssertEqual(c.loss, 0)
        XCTAssertEqual(c.duplication, 0)
        XCTAssertEqual(c.reorder, 1)
        XCTAssertEqual(c.baseDelay, 0)
        XCTAssertEqual(c.jitter, 0)
        XCTAssertFalse(c.dataOnly)
        XCTAssertEqual(decisions(c, seed: 9, count: 1_000), Array(repeating: Impairment.Decision(delays: [0]), count: 1_000))
    }

    func testLossOneLosesEverything() {
        var imp = Impairment(conditions: Conditions(loss: 1, duplication: 1, baseDelay: 10, jitter: 100), seed: 2)
        for type in MessageType.allCases {
            for _ in 0..<200 {
                let d = imp.decide(datagram(type))
                XCTAssertTrue(d.lost)
                XCTAssertEqual(d.delays, [])
                XCTAssertFalse(d.duplicated)
            }
        }
        XCTAssertEqual(imp.seen, 200 * MessageType.allCases.count)
        XCTAssertEqual(imp.lost, imp.seen)
        XCTAssertEqual(imp.duplicated, 0)
    }

    func testTheLostFractionIsCloseToTheLossProbability() {
        let n = 100_000
        for (i, p) in [0.001, 0.01, 0.05, 0.2, 0.5, 0.9, 0.99].enumerated() {
            var imp = Impairment(conditions: Conditions(loss: p), seed: 0xABCD + UInt64(i))
            let d = datagram(.data)
            var lost = 0
            for _ in 0..<n where imp.decide(d).lost { lost += 1 }
            XCTAssertEqual(imp.lost, lost)
            XCTAssertEqual(imp.seen, n)
            XCTAssertEqual(Double(lost) / Double(n), p, accuracy: 0.01, "loss \(p)")
        }
    }

    // MARK: Duplication

    func testDuplicationOneDuplicatesEverything() {
        var imp = Impairment(conditions: Conditions(duplication: 1, baseDelay: 7), seed: 3)
        for _ in 0..<500 {
            let d = imp.decide(datagram(.heartbeat))
            XCTAssertEqual(d.delays, [7, 7])
            XCTAssertTrue(d.duplicated)
            XCTAssertFalse(d.lost)
        }
        XCTAssertEqual(imp.duplicated, 500)
        XCTAssertEqual(imp.seen, 500)
    }

    func testTheDuplicatedFractionIsCloseToTheDuplicationProbability() {
        let n = 100_000
        for (i, p) in [0.01, 0.1, 0.3, 0.5, 0.75].enumerated() {
            var imp = Impairment(conditions: Conditions(duplication: p, baseDelay: 5), seed: 0x5EED + UInt64(i))
            let d = datagram(.data)
            var twice = 0
            for _ in 0..<n {
                let r = imp.decide(d)
                XCTAssertFalse(r.lost)
                XCTAssertTrue(r.delays.count == 1 || r.delays.count == 2)
                if r.duplicated { twice += 1 }
            }
            XCTAssertEqual(imp.duplicated, twice)
            XCTAssertEqual(imp.lost, 0)
            XCTAssertEqual(Double(twice) / Double(n), p, accuracy: 0.01, "duplication \(p)")
        }
    }

    func testALostDatagramIsNeverDuplicated() {
        var imp = Impairment(conditions: Conditions(loss: 0.5, duplication: 0.5), seed: 4)
        let n = 100_000
        for _ in 0..<n {
            let d = imp.decide(datagram(.data))
            XCTAssertFalse(d.lost && d.duplicated)
        }
        // Duplication applies to the survivors: about (1 - loss) * duplication of all datagrams.
        XCTAssertEqual(Double(imp.lost) / Double(n), 0.5, accuracy: 0.01)
        XCTAssertEqual(Double(imp.duplicated) / Double(n), 0.25, accuracy: 0.01)
    }

    // MARK: Determinism

    func testTheSameSeedGivesTheSameDecisions() {
        let c = Conditions(loss: 0.2, duplication: 0.1, reorder: 0.5, baseDelay: 1_000, jitter: 50_000)
        let a = decisions(c, seed: 42, count: 10_000)
        let b = decisions(c, seed: 42, count: 10_000)
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a, decisions(c, seed: 43, count: 10_000))
    }

    func testTheSameSeedGivesTheSameCounters() {
        let c = Conditions(loss: 0.3, duplication: 0.3, reorder: 0.3, jitter: 10)
        var x = Impairment(conditions: c, seed: 77)
        var y = Impairment(conditions: c, seed: 77)
        for _ in 0..<5_000 {
            _ = x.decide(datagram(.data))
            _ = y.decide(datagram(.data))
        }
        XCTAssertEqual([x.seen, x.lost, x.duplicated, x.delayed], [y.seen, y.lost, y.duplicated, y.delayed])
    }

    // MARK: dataOnly

    func testDataOnlyLosesOnlyDataAndNack() {
        var imp = Impairment(conditions: Conditions(loss: 1, baseDelay: 3, dataOnly: true), seed: 5)
        var expectedLost = 0
        for type in MessageType.allCases {
            let d = imp.decide(datagram(type))
            if type == .data || type == .nack {
                XCTAssertTrue(d.lost, "\(type)")
                expectedLost += 1
            } else {
                XCTAssertEqual(d.delays, [3], "\(type)")
            }
        }
        XCTAssertEqual(imp.lost, expectedLost)
        XCTAssertEqual(expectedLost, 2)
        XCTAssertEqual(imp.seen, MessageType.allCases.count)
    }

    func testDataOnlyLooksAtByteThree() {
        var imp = Impairment(conditions: Conditions(loss: 1, dataOnly: true), seed: 6)
        // The type byte decides, whatever else the datagram holds.
        XCTAssertTrue(imp.decide([0, 0, 0, MessageType.data.rawValue]).lost)
        XCTAssertTrue(imp.decide([9, 9, 9, MessageType.nack.rawValue, 1, 2, 3]).lost)
        XCTAssertFalse(imp.decide([MessageType.data.rawValue, MessageType.data.rawValue, MessageType.data.rawValue, 0]).lost)
        // Too short to have a type: never lost.
        XCTAssertFalse(imp.decide([]).lost)
        XCTAssertFalse(imp.decide([0x56, 0x42, 1]).lost)
        // A real encoded control message passes.
        XCTAssertFalse(imp.decide(Message.cookie(nonce: 1, token: 2).encode()).lost)
        XCTAssertEqual(imp.lost, 2)
        XCTAssertEqual(imp.seen, 6)
    }

    func testWithoutDataOnlyEveryTypeCanBeLost() {
        var imp = Impairment(conditions: Conditions(loss: 1), seed: 7)
        for type in MessageType.allCases { XCTAssertTrue(imp.decide(datagram(type)).lost, "\(type)") }
        XCTAssertTrue(imp.decide([]).lost)
    }

    func testDataOnlyLossRateAppliesToDataAtTheGivenProbability() {
        var imp = Impairment(conditions: Conditions(loss: 0.25, dataOnly: true), seed: 8)
        let n = 100_000
        var lostData = 0
        for i in 0..<n {
            if imp.decide(datagram(.data)).lost { lostData += 1 }
            if i % 10 == 0 { XCTAssertFalse(imp.decide(datagram(.heartbeat)).lost) }
        }
        XCTAssertEqual(Double(lostData) / Double(n), 0.25, accuracy: 0.01)
    }

    // MARK: Delay

    func testReorderZeroAddsNoExtraDelay() {
        var imp = Impairment(conditions: Conditions(duplication: 0.5, reorder: 0, baseDelay: 4_000, jitter: 1_000_000), seed: 9)
        for _ in 0..<10_000 {
            let d = imp.decide(datagram(.data))
            XCTAssertTrue(d.delays.allSatisfy { $0 == 4_000 }, "\(d.delays)")
        }
        XCTAssertEqual(imp.delayed, 0)
    }

    func testZeroJitterAddsNoExtraDelay() {
        for reorder in [0.0, 0.5, 1.0] {
            var imp = Impairment(conditions: Conditions(reorder: reorder, baseDelay: 100, jitter: 0), seed: 10)
            for _ in 0..<1_000 { XCTAssertEqual(imp.decide(datagram(.data)).delays, [100]) }
            XCTAssertEqual(imp.delayed, 0)
        }
    }

    func testEveryDelayIsWithinBaseDelayPlusJitter() {
        let base: Int64 = 20_000
        let jitter: Int64 = 5_000
        var imp = Impairment(conditions: Conditions(duplication: 0.3, baseDelay: base, jitter: jitter), seed: 11)
        var all: [Int64] = []
        for _ in 0..<100_000 { all += imp.decide(datagram(.data)).delays }
        for d in all where !(base..<base + jitter).contains(d) { XCTFail("delay \(d) outside \(base)..<\(base + jitter)") }
        // Uniform over the range: it reaches both ends and averages the middle.
        XCTAssertEqual(all.min(), base)
        XCTAssertEqual(all.max(), base + jitter - 1)
        let mean = Double(all.reduce(0, +)) / Double(all.count)
        XCTAssertEqual(mean, Double(base) + Double(jitter - 1) / 2, accuracy: Double(jitter) * 0.01)
    }

    func testAJitterOfOneAddsNothing() {
        var imp = Impairment(conditions: Conditions(baseDelay: 8, jitter: 1), seed: 12)
        for _ in 0..<1_000 { XCTAssertEqual(imp.decide(datagram(.data)).delays, [8]) }
    }

    func testDuplicateCopiesDrawTheirOwnDelays() {
        var imp = Impairment(conditions: Conditions(duplication: 1, jitter: 1_000_000), seed: 13)
        var differ = 0
        for _ in 0..<1_000 {
            let d = imp.decide(datagram(.data))
            XCTAssertEqual(d.delays.count, 2)
            if d.delays[0] != d.delays[1] { differ += 1 }
        }
        XCTAssertGreaterThan(differ, 990)
    }

    func testPartialReorderHoldsBackAboutThatFractionOfCopies() {
        let base: Int64 = 1_000
        var imp = Impairment(conditions: Conditions(reorder: 0.3, baseDelay: base, jitter: 1_000_000), seed: 14)
        let n = 100_000
        var heldBack = 0
        for _ in 0..<n {
            let d = imp.decide(datagram(.data))
            XCTAssertEqual(d.delays.count, 1)
            XCTAssertTrue((base..<base + 1_000_000).contains(d.delays[0]))
            if d.delays[0] > base { heldBack += 1 }
        }
        XCTAssertEqual(Double(imp.delayed) / Double(n), 0.3, accuracy: 0.01)
        // A held-back copy may draw an extra delay of 0, so `delayed` can only be at least the visibly later ones.
        XCTAssertLessThanOrEqual(heldBack, imp.delayed)
        XCTAssertEqual(Double(heldBack) / Double(n), 0.3, accuracy: 0.01)
    }

    func testReorderOneDoesNotCountDelayed() {
        // `delayed` counts only copies held back by a reorder probability below 1.
        var imp = Impairment(conditions: Conditions(reorder: 1, jitter: 100), seed: 15)
        for _ in 0..<1_000 { _ = imp.decide(datagram(.data)) }
        XCTAssertEqual(imp.delayed, 0)
    }

    // MARK: Counters

    func testCountersMatchTheDecisions() {
        var imp = Impairment(conditions: Conditions(loss: 0.1, duplication: 0.2, reorder: 0.5, baseDelay: 50, jitter: 500), seed: 16)
        var lost = 0
        var twice = 0
        var copies = 0
        let n = 20_000
        for i in 0..<n {
            let d = imp.decide(datagram(i % 3 == 0 ? .heartbeat : .data))
            if d.lost { lost += 1 }
            if d.duplicated { twice += 1 }
            copies += d.delays.count
        }
        XCTAssertEqual(imp.seen, n)
        XCTAssertEqual(imp.lost, lost)
        XCTAssertEqual(imp.duplicated, twice)
        XCTAssertEqual(copies, n - lost + twice)
        XCTAssertLessThanOrEqual(imp.delayed, copies)
        XCTAssertGreaterThan(imp.delayed, 0)
    }

    func testChangedConditionsApplyToLaterDatagrams() {
        var imp = Impairment(conditions: Conditions(), seed: 17)
        XCTAssertFalse(imp.decide(datagram(.data)).lost)
        imp.conditions.loss = 1
        XCTAssertTrue(imp.decide(datagram(.data)).lost)
        imp.conditions.loss = 0
        imp.conditions.baseDelay = 99
        XCTAssertEqual(imp.decide(datagram(.data)).delays, [99])
        XCTAssertEqual([imp.seen, imp.lost], [3, 1])
    }

    func testDecisionLostAndDuplicated() {
        XCTAssertTrue(Impairment.Decision(delays: []).lost)
        XCTAssertFalse(Impairment.Decision(delays: []).duplicated)
        XCTAssertFalse(Impairment.Decision(delays: [0]).lost)
        XCTAssertFalse(Impairment.Decision(delays: [0]).duplicated)
        XCTAssertTrue(Impairment.Decision(delays: [0, 5]).duplicated)
    }
}
