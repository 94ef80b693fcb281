import BrokerCore
import SimulationSupport
import Wire
import XCTest

/// Issue 14: "flapping between brokers under loss must not happen (measure it at 10% loss)". Three brokers, two
/// producers and six clients, all given the whole broker list, 30 s of virtual time at 10% loss and 2% duplication
/// on every link: with no failure nobody moves; after a kill (or hang), nobody moves more than once.
final class ClusterFlappingSimulationTests: XCTestCase {
    static let mediaUntil: Int64 = 30_000_000

    func cluster(seed: UInt64) -> ClusterSimulation {
        ClusterSimulation.failoverScene(loss: 0.10, seed: seed, mediaUntil: Self.mediaUntil)
    }

    func figures(_ c: ClusterSimulation) -> FailoverFigures {
        var f = FailoverFigures()
        f.add(c, window: 1_500_000..<(Self.mediaUntil - 500_000))
        f.addProducers(c)
        f.peerPages = c.peerPagesSent
        return f
    }

    func testNoFailureNoMoveAtTenPercentLoss() {
        for seed: UInt64 in [81, 82] {
            let c = cluster(seed: seed)
            c.run(until: Self.mediaUntil + 1_000_000)
            let f = figures(c)
            XCTAssertEqual(f.clientMoves, 0, "seed \(seed): clients moved with every broker up")
            XCTAssertEqual(f.producerMoves, 0, "seed \(seed): producers moved with every broker up")
            XCTAssertEqual(f.duplicates, 0, "seed \(seed): a frame twice")
            print(f.line("no failure, 30 s, 10% loss, seed \(seed)"))
        }
    }

    func testAfterAFailureNobodyMovesTwiceAtTenPercentLoss() {
        for (victim, unreachable) in [(0, true), (1, false), (2, true)] {
            let seed = 90 + UInt64(victim)
            let c = cluster(seed: seed)
            var rng = SplitMix64(seed: seed &* 47)
            let failAt = 3_000_000 + Int64(rng.next() % 5_000_000)
            c.run(until: failAt)
            c.kill(broker: victim, unreachable: unreachable)
            c.run(until: Self.mediaUntil + 1_000_000)
            let label = "\(unreachable ? "kill" : "hang") broker \(victim) at \(Double(failAt) / 1e6) s, 30 s, 10% loss"
            for (i, client) in c.clients.enumerated() {
                XCTAssertEqual(client.moves.count, client.broker == victim ? 1 : 0, "\(label): client \(i) on broker \(client.broker) moved \(client.moves.count) times")
            }
            for p in c.producers {
                XCTAssertEqual(p.session.brokers!.moves, p.broker == victim ? 1 : 0, "\(label): producer \(p.id) on broker \(p.broker) moved")
            }
            let f = figures(c)
            XCTAssertEqual(f.duplicates, 0, "\(label): a frame twice")
            print(f.line(label))
        }
    }
}
