import SimulationSupport
import Wire
import XCTest

@testable import BrokerCore

final class FanoutListTests: XCTestCase {
    func sub(_ i: Int) -> Subscriber { Subscriber(slot: i, address: address(UInt16(5000 + i))) }

    func testInsertIsIdempotentAndRemoveKeepsTheRest() {
        var l = FanoutList()
        for i in 0..<5 { l.insert(sub(i)) }
        l.insert(sub(2))
        XCTAssertEqual(l.count, 5)
        l.remove(sub(1).address)
        l.remove(sub(1).address)
        XCTAssertEqual(Set(l.members.map(\.slot)), [0, 2, 3, 4])
        l.remove(sub(4).address)  // the last one
        XCTAssertEqual(Set(l.members.map(\.slot)), [0, 2, 3])
        XCTAssertFalse(l.contains(sub(4).address))
        XCTAssertTrue(l.contains(sub(3).address))
    }

    /// Random churn against a set model.
    func testMatchesAModel() {
        var rng = SplitMix64(seed: 11)
        var l = FanoutList()
        var model = Set<Int>()
        for _ in 0..<20_000 {
            let i = Int(rng.next() % 300)
            if rng.next() % 2 == 0 {
                l.insert(sub(i))
                model.insert(i)
            } else {
                l.remove(sub(i).address)
                model.remove(i)
            }
            XCTAssertEqual(l.count, model.count)
        }
        XCTAssertEqual(Set(l.members.map(\.slot)), model)
        for i in 0..<300 { XCTAssertEqual(l.contains(sub(i).address), model.contains(i)) }
    }
}
