import Wire
import XCTest

@testable import BrokerCore

final class SubscriberQueueTests: XCTestCase {
    /// A datagram whose bytes say which one it is, so the tests can tell datagrams of the same frame apart.
    func datagram(_ n: Int) -> [UInt8] { withUnsafeBytes(of: UInt64(n).littleEndian) { Array($0) } }
    func number(_ bytes: [UInt8]) -> Int { Int(bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }.littleEndian) }

    /// What is queued, front first, as (datagram number, frame key).
    func contents(_ q: SubscriberQueue) -> [Pair] { (0..<q.count).map { Pair(n: number(q[$0].bytes), key: q[$0].frameKey) } }

    struct Pair: Equatable, CustomStringConvertible {
        var n: Int
        var key: UInt64
        var description: String { "\(n)@\(key)" }
    }

    // MARK: Basics

    func testANewQueueIsEmpty() {
        let q = SubscriberQueue(capacity: 4)
        XCTAssertTrue(q.isEmpty)
        XCTAssertEqual(q.count, 0)
        XCTAssertEqual(q.capacity, 4)
        XCTAssertEqual(q.droppedFrames, 0)
        XCTAssertEqual(q.droppedDatagrams, 0)
    }

    func testTheCapacityIsAtLeastOne() {
        XCTAssertEqual(SubscriberQueue(capacity: 0).capacity, 1)
        XCTAssertEqual(SubscriberQueue(capacity: -5).capacity, 1)
        var q = SubscriberQueue(capacity: 0)
        q.push(datagram(1), frameKey: 1)
        XCTAssertEqual(contents(q), [Pair(n: 1, key: 1)])
    }

    func testItemsComeOutInTheOrderTheyWentIn() {
        var q = SubscriberQueue(capacity: 10)
        for n in 0..<5 { q.push(datagram(n), frameKey: UInt64(n / 2)) }
        XCTAssertEqual(q.count, 5)
        XCTAssertFalse(q.isEmpty)
        XCTAssertEqual(contents(q).map(\.n), [0, 1, 2, 3, 4])
        XCTAssertEqual(contents(q).map(\.key), [0, 0, 1, 1, 2])
        XCTAssertEqual(q[0].bytes, datagram(0))
        XCTAssertEqual(q[4].frameKey, 2)
    }

    func testRemoveFirstRemovesFromTheFront() {
        var q = SubscriberQueue(capacity: 10)
        for n in 0..<6 { q.push(datagram(n), frameKey: UInt64(n)) }
        q.removeFirst(0)
        XCTAssertEqual(q.count, 6)
        q.removeFirst(2)
        XCTAssertEqual(q.count, 4)
        XCTAssertEqual(contents(q).map(\.n), [2, 3, 4, 5])
        XCTAssertEqual(q[0].bytes, datagram(2))
        q.push(datagram(6), frameKey: 6)
        XCTAssertEqual(contents(q).map(\.n), [2, 3, 4, 5, 6])
        q.removeFirst(5)
        XCTAssertTrue(q.isEmpty)
        XCTAssertEqual(q.count, 0)
        q.push(datagram(7), frameKey: 7)
        XCTAssertEqual(contents(q).map(\.n), [7])
    }

    func testRemovingThingsSentDoesNotCountAsDropping() {
        var q = SubscriberQueue(capacity: 3)
        for n in 0..<3 { q.push(datagram(n), frameKey: 1) }
        q.removeFirst(3)
        q.removeAll()
        XCTAssertEqual(q.droppedFrames, 0)
        XCTAssertEqual(q.droppedDatagrams, 0)
    }

    func testRemoveAllEmptiesTheQueueButKeepsTheCounters() {
        var q = SubscriberQueue(capacity: 2)
        q.push(datagram(0), frameKey: 0)
        q.push(datagram(1), frameKey: 1)
        q.push(datagram(2), frameKey: 2)  // drops frame 0
        q.removeFirst(1)
        q.removeAll()
        XCTAssertTrue(q.isEmpty)
        XCTAssertEqual(q.count, 0)
        XCTAssertEqual(q.droppedFrames, 1)
        XCTAssertEqual(q.droppedDatagrams, 1)
        q.push(datagram(3), frameKey: 3)
        XCTAssertEqual(contents(q).map(\.n), [3])
    }

    // MARK: Overflow

    func testOverflowDropsTheWholeOldestFrame() {
        var q = SubscriberQueue(capacity: 5)
        for n in 0..<3 { q.push(datagram(n), frameKey: 10) }  // frame 10: three datagrams
        for n in 3..<5 { q.push(datagram(n), frameKey: 11) }  // frame 11: two
        XCTAssertEqual(q.count, 5)
        q.push(datagram(5), frameKey: 12)
        XCTAssertEqual(contents(q), [Pair(n: 3, key: 11), Pair(n: 4, key: 11), Pair(n: 5, key: 12)])
        XCTAssertEqual(q.droppedFrames, 1)
        XCTAssertEqual(q.droppedDatagrams, 3)
    }

    func testOverflowDropsOnlyOneFrameWhenThatMakesRoom() {
        var q = SubscriberQueue(capacity: 3)
        q.push(datagram(0), frameKey: 1)
        q.push(datagram(1), frameKey: 2)
        q.push(datagram(2), frameKey: 3)
        q.push(datagram(3), frameKey: 4)
        XCTAssertEqual(contents(q).map(\.key), [2, 3, 4])
        q.push(datagram(4), frameKey: 5)
        XCTAssertEqual(contents(q).map(\.key), [3, 4, 5])
        XCTAssertEqual(q.droppedFrames, 2)
        XCTAssertEqual(q.droppedDatagrams, 2)
    }

    func testOverflowDropsEveryDatagramOfTheOldestFrameEvenWhenInterleaved() {
        var q = SubscriberQueue(capacity: 6)
        // Two streams' frames interleaved: A B A B A B.
        let keys: [UInt64] = [0xA, 0xB, 0xA, 0xB, 0xA, 0xB]
        for (n, k) in keys.enumerated() { q.push(datagram(n), frameKey: k) }
        q.push(datagram(6), frameKey: 0xC)
        XCTAssertEqual(contents(q), [Pair(n: 1, key: 0xB), Pair(n: 3, key: 0xB), Pair(n: 5, key: 0xB), Pair(n: 6, key: 0xC)])
        XCTAssertEqual(q.droppedFrames, 1)
        XCTAssertEqual(q.droppedDatagrams, 3)
    }

    func testTheVictimIsTheFrameAtTheFrontAfterSends() {
        var q = SubscriberQueue(capacity: 3)
        q.push(datagram(0), frameKey: 1)
        q.push(datagram(1), frameKey: 2)
        q.push(datagram(2), frameKey: 1)
        q.removeFirst(1)  // datagram 0 (frame 1) was sent; frame 2 is now at the front
        q.push(datagram(3), frameKey: 3)
        XCTAssertEqual(q.count, 3)
        q.push(datagram(4), frameKey: 4)
        XCTAssertEqual(contents(q), [Pair(n: 2, key: 1), Pair(n: 3, key: 3), Pair(n: 4, key: 4)])
        XCTAssertEqual(q.droppedFrames, 1)
        XCTAssertEqual(q.droppedDatagrams, 1)
    }

    func testWhenTheOldestFrameIsTheOneBeingAddedTheNewDatagramGoesToo() {
        var q = SubscriberQueue(capacity: 3)
        for n in 0..<3 { q.push(datagram(n), frameKey: 7) }
        q.push(datagram(3), frameKey: 7)
        // Frame 7 filled the queue alone: its three queued datagrams and the new one are all dropped.
        XCTAssertTrue(q.isEmpty)
        XCTAssertEqual(q.droppedFrames, 1)
        XCTAssertEqual(q.droppedDatagrams, 4)
        // As written, a later datagram with the same key is queued again (the frame is not remembered as dropped).
        q.push(datagram(4), frameKey: 7)
        XCTAssertEqual(contents(q), [Pair(n: 4, key: 7)])
        XCTAssertEqual(q.droppedFrames, 1)
        XCTAssertEqual(q.droppedDatagrams, 4)
    }

    func testACapacityOfOneKeepsOnlyTheNewestFrame() {
        var q = SubscriberQueue(capacity: 1)
        q.push(datagram(0), frameKey: 1)
        q.push(datagram(1), frameKey: 2)
        XCTAssertEqual(contents(q), [Pair(n: 1, key: 2)])
        q.push(datagram(2), frameKey: 2)  // the front frame is the one being added
        XCTAssertTrue(q.isEmpty)
        XCTAssertEqual(q.droppedFrames, 2)
        XCTAssertEqual(q.droppedDatagrams, 3)
    }

    func testAQueueOfCapacityNNeverHoldsMoreThanN() {
        var rng = SplitMix64(seed: 0x5EED)
        for capacity in [1, 2, 3, 8, 64] {
            var q = SubscriberQueue(capacity: capacity)
            var pushed = 0
            for n in 0..<2_000 {
                q.push(datagram(n), frameKey: rng.next() % 6)
                pushed += 1
                XCTAssertLessThanOrEqual(q.count, capacity)
                if rng.next() % 50 == 0 { q.removeFirst(Int(rng.next() % UInt64(q.count / 2 + 1))) }
            }
            XCTAssertGreaterThan(q.droppedFrames, 0, "capacity \(capacity)")
            XCTAssertLessThanOrEqual(q.droppedDatagrams, pushed)
        }
    }

    func testManySendsKeepTheOrderAcrossInternalCompaction() {
        // Enough sent items from the front that the queue compacts its storage while items remain.
        var q = SubscriberQueue(capacity: 10_000)
        for n in 0..<3_000 { q.push(datagram(n), frameKey: UInt64(n / 10)) }
        for sent in 0..<2_500 {
            XCTAssertEqual(number(q[0].bytes), sent)
            q.removeFirst(1)
            if sent % 100 == 0 { XCTAssertEqual(q.count, 3_000 - sent - 1) }
        }
        XCTAssertEqual(contents(q).map(\.n), Array(2_500..<3_000))
        q.push(datagram(3_000), frameKey: 300)
        XCTAssertEqual(q.count, 501)
        XCTAssertEqual(number(q[500].bytes), 3_000)
        XCTAssertEqual(q.droppedDatagrams, 0)
    }

    // MARK: Property test

    /// The obvious implementation: an array, with whole-frame eviction from the front.
    struct Model {
        let capacity: Int
        var items: [Pair] = []
        var droppedFrames = 0
        var droppedDatagrams = 0

        mutating func push(_ p: Pair) {
            if items.count >= capacity {
                let victim = items[0].key
                let before = items.count
                items.removeAll { $0.key == victim }
                droppedFrames += 1
                droppedDatagrams += before - items.count
                if victim == p.key {
                    droppedDatagrams += 1
                    return
                }
            }
            items.append(p)
        }
    }

    func testMatchesAReferenceModelUnderRandomOperations() {
        var rng = SplitMix64(seed: 0xC0FF_EE00_1234_5678)
        for capacity in [1, 2, 3, 5, 16, 100, 1_500] {
            var q = SubscriberQueue(capacity: capacity)
            var model = Model(capacity: max(capacity, 1))
            var nextKey: UInt64 = 0
            var open: [UInt64] = [0]  // frames still being sent, datagrams of which interleave
            var n = 0
            for step in 0..<6_000 {
                let r = rng.next() % 100
                if r < 70 {
                    // Push a datagram of one of the open frames, sometimes starting a new frame.
                    if open.isEmpty || (open.count < 4 && rng.next() % 4 == 0) {
                        nextKey += 1
                        open.append(nextKey)
                    }
                    let i = Int(rng.next() % UInt64(open.count))
                    let key = open[i]
                    if rng.next() % 6 == 0 { open.remove(at: i) }
                    let p = Pair(n: n, key: key)
                    n += 1
                    q.push(datagram(p.n), frameKey: p.key)
                    model.push(p)
                } else if r < 98 {
                    let k = Int(rng.next() % UInt64(q.count + 1))
                    q.removeFirst(k)
                    model.items.removeFirst(k)
                } else {
                    q.removeAll()
                    model.items.removeAll()
                }
                XCTAssertLessThanOrEqual(q.count, capacity)
                XCTAssertEqual(q.count, model.items.count, "capacity \(capacity) step \(step)")
                XCTAssertEqual(q.isEmpty, model.items.isEmpty)
                XCTAssertEqual(q.droppedFrames, model.droppedFrames, "capacity \(capacity) step \(step)")
                XCTAssertEqual(q.droppedDatagrams, model.droppedDatagrams, "capacity \(capacity) step \(step)")
                if step % 50 == 0 || capacity <= 16 {
                    XCTAssertEqual(contents(q), model.items, "capacity \(capacity) step \(step)")
                }
                if q.count != model.items.count { return }  // stop at the first divergence
            }
            XCTAssertEqual(contents(q), model.items)
            // The run must have exercised overflow where the queue can fill.
            if capacity <= 16 { XCTAssertGreaterThan(model.droppedFrames, 0, "capacity \(capacity)") }
        }
    }
}
