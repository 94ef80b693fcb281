import SimulationSupport
import Wire
import XCTest

@testable import BrokerCore

/// A batch that records what it is given and sends as many messages as the test allows.
final class RecordingBatch: DatagramBatch {
    struct Message: Equatable {
        var to: PeerAddress
        var datagrams: [[UInt8]]
    }
    let maxMessages: Int
    var gso = true
    /// How many messages the next flush sends (nil: all).
    var accept: Int?
    private(set) var pending: [Message] = []
    private(set) var sent: [Message] = []

    init(maxMessages: Int = 8) { self.maxMessages = maxMessages }

    func messageLength(start: Int, count: Int, size: (Int) -> Int) -> Int {
        guard gso else { return 1 }
        var n = 1
        while start + n < count && size(start + n) == size(start) && n < 4 { n += 1 }
        return n
    }

    func add(segments n: Int, to: PeerAddress, _ segment: (Int) -> [UInt8]) -> Bool {
        guard pending.count < maxMessages else { return false }
        pending.append(Message(to: to, datagrams: (0..<n).map(segment)))
        return true
    }

    func flush() -> Int {
        let n = min(accept ?? pending.count, pending.count)
        sent += pending.prefix(n)
        pending.removeAll()
        return n
    }
}

final class FanoutPlannerTests: XCTestCase {
    let a = Subscriber(slot: 0, address: address(5000))
    let b = Subscriber(slot: 1, address: address(5001))

    func datagram(_ frame: UInt32, _ i: UInt8, size: Int = 10) -> [UInt8] {
        [UInt8(truncatingIfNeeded: frame), i] + [UInt8](repeating: 0, count: size - 2)
    }

    func testEverySubscriberGetsEveryDatagramGroupedIntoMessages() {
        let batch = RecordingBatch()
        let planner = FanoutPlanner(sender: batch, queueCapacity: 100)
        for i in 0..<3 { planner.dispatch(.forward(datagram(1, UInt8(i)), frameKey: 1, to: [a, b])) }
        XCTAssertTrue(planner.hasBacklog)
        XCTAssertTrue(planner.flush())
        XCTAssertFalse(planner.hasBacklog)
        XCTAssertEqual(Set(batch.sent.map(\.to)), [a.address, b.address])
        for s in [a, b] {
            let got = batch.sent.filter { $0.to == s.address }
            XCTAssertEqual(got.count, 1, "three equal-size datagrams to one subscriber go as one message")
            XCTAssertEqual(got.first?.datagrams, (0..<3).map { datagram(1, UInt8($0)) })
        }
    }

    func testWhatTheSocketRefusesStaysQueuedInOrder() {
        let batch = RecordingBatch()
        batch.gso = false
        let planner = FanoutPlanner(sender: batch, queueCapacity: 100)
        for i in 0..<4 { planner.dispatch(.unicast(datagram(1, UInt8(i)), frameKey: 1, to: a)) }
        batch.accept = 1
        XCTAssertFalse(planner.flush(), "the socket would block")
        XCTAssertEqual(planner.backlog(slot: 0), 3)
        batch.accept = nil
        XCTAssertTrue(planner.flush())
        XCTAssertEqual(batch.sent.flatMap(\.datagrams), (0..<4).map { datagram(1, UInt8($0)) }, "nothing lost, nothing reordered")
    }

    func testASlowSubscriberLosesWholeFramesAlone() {
        let batch = RecordingBatch()
        let planner = FanoutPlanner(sender: batch, queueCapacity: 4)
        for f in UInt32(1)...3 {
            for i in 0..<2 { planner.dispatch(.forward(datagram(f, UInt8(i)), frameKey: UInt64(f), to: [a])) }
        }
        XCTAssertEqual(planner.droppedFrames(slot: 0), 1, "frame 1 went whole to make room for frame 3")
        XCTAssertEqual(planner.backlog(slot: 0), 4)
        XCTAssertTrue(planner.flush())
        XCTAssertEqual(batch.sent.flatMap(\.datagrams).map { $0[0] }, [2, 2, 3, 3])
    }

    func testAReleasedSlotIsForgottenAndItsDropsKept() {
        let batch = RecordingBatch()
        let planner = FanoutPlanner(sender: batch, queueCapacity: 2)
        for f in UInt32(1)...2 { planner.dispatch(.forward(datagram(f, 0), frameKey: UInt64(f), to: [a])) }
        planner.dispatch(.forward(datagram(3, 0), frameKey: 3, to: [a]))
        planner.dispatch(.release(slot: 0))
        XCTAssertTrue(planner.flush())
        XCTAssertTrue(batch.sent.isEmpty, "nothing goes to a released subscriber")
        XCTAssertEqual(planner.droppedFrames, 1)
    }

    func testSubscribersTakeTurnsAtTheFrontOfTheBatch() {
        let batch = RecordingBatch(maxMessages: 1)
        batch.gso = false
        let planner = FanoutPlanner(sender: batch, queueCapacity: 100)
        planner.dispatch(.forward(datagram(1, 0), frameKey: 1, to: [a, b]))
        batch.accept = 0
        XCTAssertFalse(planner.flush())
        batch.accept = 0
        XCTAssertFalse(planner.flush())
        batch.accept = nil
        XCTAssertTrue(planner.flush())
        XCTAssertEqual(Set(batch.sent.map(\.to)), [a.address, b.address])
    }
}
