import SimulationSupport
import XCTest

@testable import Wire

final class TimerTableTests: XCTestCase {
    func testNextIsTheEarliestLiveDeadline() {
        var t = TimerTable<Int>()
        XCTAssertEqual(t.next, .max)
        t.set(1, at: 30)
        t.set(2, at: 10)
        t.set(3, at: 20)
        XCTAssertEqual(t.next, 10)
        t.set(2, at: 40)  // moved later: the old entry must not count
        XCTAssertEqual(t.next, 20)
        t.cancel(3)
        XCTAssertEqual(t.next, 30)
        t.set(1, at: .max)  // Int64.max cancels
        XCTAssertEqual(t.next, 40)
        XCTAssertEqual(t.count, 1)
    }

    func testPopDueReturnsDueKeysEarliestFirstAndClearsThem() {
        var t = TimerTable<String>()
        t.set("c", at: 3)
        t.set("a", at: 1)
        t.set("b", at: 2)
        t.set("late", at: 100)
        XCTAssertEqual(t.popDue(now: 2), ["a", "b"])
        XCTAssertNil(t.deadline("a"))
        XCTAssertEqual(t.popDue(now: 2), [])
        XCTAssertEqual(t.popDue(now: 50), ["c"])
        XCTAssertEqual(t.next, 100)
    }

    /// Random sets, moves and cancels against a dictionary model: the same next deadline and due keys.
    func testMatchesAModelUnderRandomChurn() {
        var rng = SplitMix64(seed: 7)
        var t = TimerTable<Int>()
        var model: [Int: Int64] = [:]
        var now: Int64 = 0
        for _ in 0..<20_000 {
            let key = Int(rng.next() % 200)
            switch rng.next() % 4 {
            case 0, 1:
                let at = now + Int64(rng.next() % 1000)
                t.set(key, at: at)
                model[key] = at
            case 2:
                t.cancel(key)
                model[key] = nil
            default:
                now += Int64(rng.next() % 50)
                let due = t.popDue(now: now)
                let expected = model.filter { $0.value <= now }
                XCTAssertEqual(Set(due), Set(expected.keys))
                for k in expected.keys { model[k] = nil }
            }
            XCTAssertEqual(t.next, model.values.min() ?? .max)
        }
    }
}
