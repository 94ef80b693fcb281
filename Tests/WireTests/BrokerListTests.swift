import SimulationSupport
import XCTest

@testable import Wire

final class BrokerListTests: XCTestCase {
    let all = (0..<3).map { address(5000 + UInt16($0)) }

    func testTheFirstBrokerIsSpreadBySeedAndMovesGoRoundRobin() {
        let firsts = Set((0..<64).map { BrokerList(all, seed: UInt64($0)).index })
        XCTAssertEqual(firsts, [0, 1, 2], "new peers spread over every broker")
        var l = BrokerList(all, seed: 1, first: 2)
        XCTAssertEqual(l.current, all[2])
        XCTAssertEqual(l.advance(), all[0])
        XCTAssertEqual(l.advance(), all[1])
        XCTAssertEqual(l.moves, 2)
        XCTAssertFalse(BrokerList([all[0]], seed: 1).canMove)
    }

    func testTheListIsBounded() {
        let many = (0..<40).map { address(6000 + UInt16($0)) }
        XCTAssertEqual(BrokerList(many, seed: 3).addresses.count, BrokerList.maxBrokers)
    }
}
