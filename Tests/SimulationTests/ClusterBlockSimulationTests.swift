import BrokerCore
import SimulationSupport
import Wire
import XCTest

/// Blocks hold cluster-wide (issue 21, point 10): the operator blocks a producer id at one broker, and every broker
/// refuses it within a second, so a blocked producer that fails over to another broker is refused there too; an
/// unblock at any broker lets it back in everywhere; a broker restarted with its state file keeps the block.
final class ClusterBlockSimulationTests: XCTestCase {
    let stream = StreamID(producer: testProducer, index: 1)

    /// Three brokers at 10% loss, the producer (given every broker) on broker 0, a client on broker 1.
    func scene(seed: UInt64) -> ClusterSimulation {
        let c = ClusterSimulation(brokers: 3, conditions: .init(loss: 0.1), seed: seed, mediaUntil: 12_000_000)
        c.addProducer(testProducer, broker: 0, startAt: 300_000, failover: true)
        c.addClient(broker: 1, selector: StreamID(producer: testProducer, index: 0), startAt: 300_000)
        c.run(until: 1_500_000)
        XCTAssertEqual(c.brokers[1].streams[stream]?.online, true, "the stream reaches broker 1 before the block")
        return c
    }

    /// Runs until every live broker agrees that the producer is (or is not) blocked; returns how long that took.
    func agreement(_ c: ClusterSimulation, blocked: Bool, within limit: Int64) -> Int64 {
        let start = c.now
        while c.now - start <= limit {
            if c.brokers.indices.allSatisfy({ !c.alive[$0] || c.brokers[$0].blocks.isBlocked(testProducer) == blocked }) { return c.now - start }
            c.run(until: c.now + 5_000)
        }
        XCTFail("after \(limit / 1000) ms not every broker has \(testProducer) \(blocked ? "blocked" : "unblocked")")
        return limit
    }

    func testABlockAtOneBrokerHoldsAtEveryBrokerAndFollowsAFailover() {
        for seed: UInt64 in [1, 2, 3] {
            let c = scene(seed: seed)
            XCTAssertEqual(c.operate(broker: 0) { $0.blockProducer(testProducer, now: $1) }, .done)
            let took = agreement(c, blocked: true, within: 1_000_000)
            print("block-sim seed \(seed): every broker has the block after \(took / 1000) ms")
            // The producer's broker goes away: it fails over to broker 1, which refuses it as well (and on to the
            // next broker when no WELCOME comes, round the list).
            c.run(until: c.now + 300_000)  // frames sent before the block may still be repaired: a latency budget
            let framesBefore = c.clients[0].frames.count
            c.kill(broker: 0, unreachable: true)
            c.run(until: c.now + 3_000_000)
            XCTAssertGreaterThanOrEqual(c.producers[0].session.brokers!.moves, 1, "seed \(seed): the producer moved")
            XCTAssertFalse(c.producers[0].session.link.isConnected, "seed \(seed): no broker welcomed the blocked producer")
            XCTAssertGreaterThan(c.refused(.blocked, broker: 1) + c.refused(.blocked, broker: 2), 0, "seed \(seed): its HELLOs were refused")
            XCTAssertNotEqual(c.brokers[1].streams[stream]?.online, true)
            XCTAssertLessThanOrEqual(c.clients[0].frames.count, framesBefore, "seed \(seed): no frames while blocked")
            // Unblocked at broker 2: every broker lets it in; its next HELLO is welcome and frames flow again.
            XCTAssertEqual(c.operate(broker: 2) { $0.unblockProducer(testProducer, now: $1) }, .done)
            _ = agreement(c, blocked: false, within: 1_000_000)
            c.run(until: c.now + 3_000_000)
            XCTAssertTrue(c.producers[0].session.link.isConnected, "seed \(seed): the producer is back")
            XCTAssertGreaterThan(c.clients[0].frames.count, framesBefore + 20, "seed \(seed): frames flow again")
        }
    }

    func testARestartedBrokerKeepsItsBlocksAndOneWithoutThemLearnsThemFromItsPeers() {
        let c = scene(seed: 4)
        XCTAssertEqual(c.operate(broker: 1) { $0.blockProducer(testProducer, now: $1) }, .done)
        _ = agreement(c, blocked: true, within: 1_000_000)
        // Broker 1 restarts with its state file while its peers are cut off: the block is there from the start.
        c.cut(1, 0)
        c.cut(1, 2)
        c.kill(broker: 1)
        c.restart(broker: 1, keepingBlocks: true)
        XCTAssertTrue(c.brokers[1].blocks.isBlocked(testProducer))
        c.healAll()
        // Broker 2 restarts without one (a lost disk): its peers' periodic list brings the block back within a second.
        c.kill(broker: 2)
        c.restart(broker: 2)
        XCTAssertFalse(c.brokers[2].blocks.isBlocked(testProducer))
        _ = agreement(c, blocked: true, within: 2_000_000)
        // An old decision replayed from before the unblock changes nothing once the newer one is known.
        let block = c.brokers[0].blocks.entries[testProducer]!
        XCTAssertEqual(c.operate(broker: 0) { $0.unblockProducer(testProducer, now: $1) }, .done)
        _ = agreement(c, blocked: false, within: 1_000_000)
        c.operate(broker: 2) { b, _ in b.restoreBlocks([block]) }
        XCTAssertFalse(c.brokers[2].blocks.isBlocked(testProducer))
    }
}
