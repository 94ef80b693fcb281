import XCTest

@testable import Wire

final class OutputQueueTests: XCTestCase {
    func testFirstInFirstOutAndReuse() {
        var q = OutputQueue<Int>()
        XCTAssertNil(q.pop())
        q.push(1)
        q.push(contentsOf: [2, 3])
        XCTAssertEqual(q.count, 3)
        XCTAssertEqual(q.pop(), 1)
        q.push(4)
        XCTAssertEqual([q.pop(), q.pop(), q.pop()], [2, 3, 4])
        XCTAssertTrue(q.isEmpty)
        XCTAssertNil(q.pop())
        q.push(5)
        XCTAssertEqual(q.pop(), 5)
    }
}
