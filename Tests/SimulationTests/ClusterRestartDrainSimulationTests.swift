import BrokerCore
import SimulationSupport
import Wire
import XCTest

/// Issue 14 on a virtual clock, after a broker's death: it restarts on its address (a new epoch), and a broker is
/// drained (SIGTERM). Three brokers, two producers and six clients spread over them, every peer given the whole
/// broker list; each broker in turn is the victim, at a random moment, at 0% and 10% loss (2% duplication).
final class ClusterRestartDrainSimulationTests: XCTestCase {
    static let mediaUntil: Int64 = 10_000_000
    static let frameInterval: Int64 = 33_333

    func cluster(loss: Double, seed: UInt64) -> ClusterSimulation {
        ClusterSimulation.failoverScene(loss: loss, seed: seed, mediaUntil: Self.mediaUntil)
    }

    /// What client `i` of the scene watches (a client added later as if it were client `i`).
    func stream(_ i: Int) -> StreamID {
        let (p1, p2) = ClusterSimulation.sceneProducers
        return StreamID(producer: i % 2 == 0 ? p1 : p2, index: 1)
    }

    /// Moves as they should be: a peer of the victim moved once (to a live broker), every other peer stayed (the
    /// clients that join later must not move at all).
    func checkMoves(_ c: ClusterSimulation, victim: Int, label: String) {
        for (i, client) in c.clients.enumerated() where client.startAt < 1_000_000 {
            XCTAssertEqual(client.moves.count, client.broker == victim ? 1 : 0, "\(label): client \(i) on broker \(client.broker) moved \(client.moves.count) times")
        }
        for p in c.producers {
            XCTAssertEqual(p.session.brokers!.moves, p.broker == victim ? 1 : 0, "\(label): producer \(p.id) on broker \(p.broker) moved")
        }
        for b in 0..<3 { XCTAssertEqual(c.refused(.loop, broker: b), 0, "\(label): broker \(b) saw its own DATA come back") }
    }

    // MARK: Restart

    /// Killed (`kill -9`), then started again on its address 0.3 to 1.5 s later, before or after its peers gave its
    /// links up: the cluster links to the new epoch, the peers that moved away stay where they are, and new clients
    /// on every broker, the restarted one included, get their streams.
    func restart(victim: Int, loss: Double, seed: UInt64) -> FailoverFigures {
        let c = cluster(loss: loss, seed: seed)
        var rng = SplitMix64(seed: seed &* 31 &+ UInt64(victim))
        let killAt = 2_500_000 + Int64(rng.next() % 1_000_000)
        let restartAt = killAt + 300_000 + Int64(rng.next() % 1_200_000)
        c.run(until: killAt)
        c.kill(broker: victim, unreachable: true)
        c.run(until: restartAt)
        c.restart(broker: victim)
        let joinAt = restartAt + 500_000
        for b in 0..<3 { c.addClient(broker: b, selector: stream(b), startAt: joinAt + Int64(b) * 50_000, failover: true) }
        c.run(until: Self.mediaUntil + 1_000_000)
        let label = "restart broker \(victim) (killed at \(Double(killAt) / 1e6) s, back at \(Double(restartAt) / 1e6) s), \(Int(loss * 100))% loss"
        checkMoves(c, victim: victim, label: label)
        for b in 0..<3 {
            let up = c.brokers[b].peerLinks.values.filter { $0.up && !$0.isSelf }
            XCTAssertEqual(up.count, 2, "\(label): broker \(b) is linked to both others")
            if b != victim {
                XCTAssertEqual(c.brokers[b].peerLinks[c.brokerAddresses[victim]]?.brokerID, c.epochs[victim], "\(label): broker \(b) links to the new epoch")
            }
        }
        // From a second after the new clients joined: every client, old and new, gets its stream.
        let late = (joinAt + 1_000_000)..<(Self.mediaUntil - 500_000)
        var f = FailoverFigures()
        f.add(c, window: late)
        for i in c.clients.indices {
            let (got, expected) = c.delivered(client: i, stream: c.clients[i].selector, window: late)
            XCTAssertGreaterThan(expected, 50)
            if c.clients[i].startAt > 1_000_000 { XCTAssertEqual(c.clients[i].moves.count, 0, "\(label): new client \(i) moved") }
            XCTAssertGreaterThanOrEqual(Double(got) / Double(expected), loss > 0 ? 0.99 : 1, "\(label): client \(i) on broker \(c.clients[i].broker) got \(got)/\(expected)")
        }
        f.addProducers(c)
        f.peerPages = c.peerPagesSent
        XCTAssertEqual(f.duplicates, 0, "\(label): a frame twice")
        print(f.line(label))
        return f
    }

    /// Runs `scenario` with each broker in turn as the victim (seeds `seed`, `seed + 1`, ...) and prints the sum.
    func everyVictim(_ name: String, loss: Double, seed: UInt64, _ scenario: (Int, Double, UInt64) -> FailoverFigures) {
        var all = FailoverFigures()
        for victim in 0..<3 { all.merge(scenario(victim, loss, seed + UInt64(victim))) }
        print(all.line("\(name), all victims, \(Int(loss * 100))% loss"))
    }

    func testRestartedBrokers() { everyVictim("restart", loss: 0, seed: 21, restart) }
    func testRestartedBrokersAtTenPercentLoss() { everyVictim("restart", loss: 0.10, seed: 21, restart) }

    // MARK: Drain

    /// SIGTERM at a random moment: the broker tells its clients, producers and peers it leaves (BYE shutdown) and
    /// forwards on until quiet; its peers move at once, with no frame lost and, without loss, no gap over two frame
    /// intervals.
    func drain(victim: Int, loss: Double, seed: UInt64) -> FailoverFigures {
        let c = cluster(loss: loss, seed: seed)
        var rng = SplitMix64(seed: seed &* 37 &+ UInt64(victim))
        let drainAt = 2_500_000 + Int64(rng.next() % 1_000_000)
        c.run(until: drainAt)
        c.drain(broker: victim)
        var drainedAt = drainAt
        while c.alive[victim] && c.now < Self.mediaUntil {
            c.run(until: c.now + 10_000)
            drainedAt = c.now
        }
        c.run(until: Self.mediaUntil + 1_000_000)
        let label = "drain broker \(victim) at \(Double(drainAt) / 1e6) s (exited after ~\((drainedAt - drainAt) / 1000) ms), \(Int(loss * 100))% loss"
        checkMoves(c, victim: victim, label: label)
        var f = FailoverFigures()
        f.add(c, window: 1_500_000..<(Self.mediaUntil - 500_000))
        f.addProducers(c)
        f.peerPages = c.peerPagesSent
        XCTAssertEqual(f.duplicates, 0, "\(label): a frame twice")
        XCTAssertEqual(f.lost, 0, "\(label): frames lost")
        // Its peers' greetings do not count as activity, and it no longer greets them: the drain ends once its
        // clients and producers have moved (150 ms quiet), not after the whole DRAIN_MS.
        XCTAssertLessThan(drainedAt - drainAt, 500_000, "\(label): the drain lasted until DRAIN_MS")
        // At 10% loss a client's longest gap is some 60 ms with no failure at all (a frame repaired after a NACK), and
        // a moving client's HELLO, SUBSCRIBE or their answers lost cost it a request retry (50 ms, then 100 ms). A
        // client whose producer moves waits for that producer's HELLO, COOKIE (the new broker's challenge), HELLO and
        // WELCOME: one round trip, and at 10% loss one datagram's retry (50 ms), more than before the challenge.
        for (i, client) in c.clients.enumerated() {
            let gap = FailoverFigures.longestGap(client.frames.filter { (1_500_000..<(Self.mediaUntil - 500_000)).contains($0.time) }.map(\.time))
            let producerMoved = c.producers.contains { $0.id == client.selector.producer && $0.broker == victim }
            let bound = loss == 0 ? 2 * Self.frameInterval : client.broker == victim ? 250_000 : producerMoved ? 150_000 : 100_000
            XCTAssertLessThanOrEqual(gap, bound, "\(label): client \(i) on broker \(client.broker): a gap of \(gap) µs")
        }
        print(f.line(label))
        return f
    }

    func testDrainedBrokers() { everyVictim("drain", loss: 0, seed: 41, drain) }
    func testDrainedBrokersAtTenPercentLoss() { everyVictim("drain", loss: 0.10, seed: 41, drain) }
}
