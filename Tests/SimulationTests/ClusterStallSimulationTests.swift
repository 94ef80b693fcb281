import BrokerCore
import SimulationSupport
import Wire
import XCTest

/// No false move (issue 21, point 9): a producer or client leaves only a broker that is really gone. Here every
/// process stalls in turn, as on a loaded host or under SIGSTOP: its clock jumps while what is sent to it queues on
/// its socket, and its driver reads that queue before its timers run. A stall of its own process is not its broker's
/// silence, so nobody moves; and a stall of the whole host (every process at once, brokers included) moves nobody
/// either. A broker that really hangs is still left, within the failover targets.
final class ClusterStallSimulationTests: XCTestCase {
    static let mediaUntil: Int64 = 6_000_000

    func assertNobodyMoved(_ c: ClusterSimulation, _ label: String) {
        for (i, client) in c.clients.enumerated() {
            XCTAssertEqual(client.moves.count, 0, "\(label): client \(i) moved")
            XCTAssertTrue(client.frames.allSatisfy(\.intact), "\(label): client \(i) got a corrupted frame")
        }
        for p in c.producers { XCTAssertEqual(p.session.brokers!.moves, 0, "\(label): producer \(p.id) moved") }
    }

    /// Each producer and client alone stalls for 400 ms and 1.2 s (longer than a failover producer's lease of
    /// six 50 ms heartbeats), one after the other.
    func testAStalledProducerOrClientDoesNotLeaveItsBroker() {
        for loss in [0.0, 0.1] {
            let c = ClusterSimulation.failoverScene(loss: loss, seed: 21, mediaUntil: 15_000_000)
            c.run(until: 1_500_000)
            let victims = c.producers.map(\.address) + c.clients.map(\.address)
            for duration: Int64 in [400_000, 1_200_000] {
                for a in victims {
                    c.stall(a, for: duration)
                    c.run(until: c.now + duration + 300_000)
                }
            }
            assertNobodyMoved(c, "stalls at \(Int(loss * 100))% loss")
            let stalls = c.producers.map(\.session.stallWatch.stalls).reduce(0, +) + c.clients.map(\.session.stallWatch.stalls).reduce(0, +)
            XCTAssertGreaterThanOrEqual(stalls, victims.count, "every stall was noticed")
            let moves = c.clients.map(\.moves.count).reduce(0, +) + c.producers.map(\.session.brokers!.moves).reduce(0, +)
            print("stall-sim \(Int(loss * 100))% loss: \(victims.count * 2) stalls of one process, \(stalls) noticed, \(moves) moves")
        }
    }

    /// The whole host stalls (every process, brokers included) for 100 to 600 ms, as a loaded 2-core machine does
    /// to everything on it: when it runs again, nobody has left a broker that only waited for the CPU too.
    func testAStalledHostMovesNobody() {
        let c = ClusterSimulation.failoverScene(loss: 0.0, seed: 22, mediaUntil: 12_000_000)
        c.run(until: 1_500_000)
        let everyone = c.brokerAddresses + c.producers.map(\.address) + c.clients.map(\.address)
        for duration: Int64 in [100_000, 250_000, 600_000] {
            for a in everyone { c.stall(a, for: duration) }
            c.run(until: c.now + duration + 500_000)
        }
        assertNobodyMoved(c, "host stalls")
    }

    /// A broker that hangs while its host is quiet is still left by its clients and producer, each once.
    func testAHungBrokerIsStillLeft() {
        let c = ClusterSimulation.failoverScene(loss: 0.0, seed: 23, mediaUntil: Self.mediaUntil)
        c.run(until: 2_500_000)
        c.kill(broker: 0)
        c.run(until: Self.mediaUntil)
        for client in c.clients { XCTAssertEqual(client.moves.count, client.broker == 0 ? 1 : 0) }
        for p in c.producers { XCTAssertEqual(p.session.brokers!.moves, p.broker == 0 ? 1 : 0) }
    }
}
