import BrokerCore
import SimulationSupport
import Wire
import XCTest

/// Edges (issue 24) on a virtual clock: meshed cores, edges under them (some under edges), producers on cores and
/// on edges, clients on the edges each given two edges. Asserted: every client gets ≥ 99.9% of its frames, intact;
/// each broker is sent each stream's original datagrams at most once per datagram produced (one path through the
/// tree); a core and an edge killed mid-run move their edges and clients with no frame lost. Figures are printed
/// as `edges-sim` lines.
final class EdgeSimulationTests: XCTestCase {
    struct Kills {
        var core: (broker: Int, at: Int64)?
        var edge: (broker: Int, at: Int64)?
        /// Killed with the host answering ICMP port unreachable (`kill -9`), else silent (a hung host, a cut link).
        var unreachable = true
    }

    /// Runs `shape` with `kills`, asserts, prints the figures under `label`.
    func run(_ label: String, _ shape: TreeSimulation.Shape, loss: Double, seed: UInt64, mediaUntil: Int64, kills: Kills = Kills()) {
        let started = ContinuousClock.now
        let t = TreeSimulation.scene(shape, conditions: InMemoryNetwork.Conditions(loss: loss, baseDelay: 1_000, jitter: 2_000), seed: seed, mediaUntil: mediaUntil)
        let killEvents = [kills.core, kills.edge].compactMap { $0 }.sorted { $0.at < $1.at }
        for k in killEvents {
            t.run(until: k.at)
            t.kill(broker: k.broker, unreachable: kills.unreachable)
        }
        t.run(until: mediaUntil + 1_000_000)
        let wall = ContinuousClock.now - started
        let victims = Set(killEvents.map(\.broker))
        let window = Int64(1_500_000)..<(mediaUntil - 300_000)

        var got = 0, expected = 0, lostAffected = 0, expectedAffected = 0, worst = 1.0
        for i in t.clients.indices {
            let c = t.clients[i]
            XCTAssertEqual(c.corrupted, 0, "\(label): client \(i) got corrupted frames")
            let (g, e) = t.delivered(client: i, window: window)
            got += g
            expected += e
            let ratio = Double(g) / Double(max(e, 1))
            worst = min(worst, ratio)
            if !victims.isDisjoint(with: t.chain(client: i)) {
                lostAffected += e - g
                expectedAffected += e
            }
            XCTAssertEqual(c.moves.count, victims.contains(c.brokers[0]) ? 1 : 0, "\(label): client \(i) on \(c.brokers) moved \(c.moves.count) times")
            XCTAssertGreaterThan(e, 0, "\(label): client \(i) expected no frame")
            if ratio < 0.999 {
                let gotSet = Set(c.frames)
                let missing = (t.sent[c.selector] ?? [:]).filter { window.contains($0.value.time) && !gotSet.contains($0.key) }.map { "\($0.key)@\($0.value.time / 1000)ms" }
                let first = c.brokers[0]
                print("edges-sim \(label): client \(i) on \(c.brokers) missed \(missing.sorted()); broker \(first)'s tree events \(t.treeEvents[first].map { "\($0)" })")
            }
            XCTAssertGreaterThanOrEqual(ratio, 0.999, "\(label): client \(i) on \(c.brokers) got \(g)/\(e)")
        }
        var worstRatio = 0.0
        var perBroker: [String] = []
        for b in t.brokers.indices where t.brokers[b].alive {
            let ratios = t.streams.map { t.receiveRatio(broker: b, stream: $0) }
            worstRatio = max(worstRatio, ratios.max() ?? 0)
            for (s, r) in zip(t.streams, ratios) {
                XCTAssertLessThanOrEqual(r, 1.0, "\(label): broker \(b) was sent \(s) \(r) times per datagram")
                XCTAssertEqual(t.received[b][s]?.twice ?? 0, 0, "\(label): broker \(b) was sent originals of \(s) twice")
            }
            perBroker.append("\(b):" + String(format: "%.3f", ratios.max() ?? 0))
            if t.brokers.count <= 12 {
                let line = ratios.map { String(format: "%.3f", $0) }.joined(separator: " ")
                print("edges-sim \(label): broker \(b) originals received per stream datagram: \(line)")
            }
        }
        let refused = t.brokers.map { $0.core.counters.refused.occurred.map { "\($0.reason)=\($0.count)" }.joined(separator: ",") }
        let pct = String(format: "%.3f", 100 * Double(got) / Double(max(expected, 1)))
        print("edges-sim \(label): \(t.brokers.count) brokers, \(t.producers.count) streams, \(t.clients.count) clients, \(Int(loss * 100))% loss: delivered \(got)/\(expected) (\(pct)%), worst client \(String(format: "%.4f", worst))")
        let twice = t.received.reduce(0) { $0 + $1.values.reduce(0) { $0 + $1.twice } }
        print("edges-sim \(label): max originals received per stream datagram at any broker \(String(format: "%.3f", worstRatio)); originals of one datagram sent to a broker twice: \(twice)")
        let perStream = t.streams.map { s in String(format: "%.3f", t.brokers.indices.map { t.receiveRatio(broker: $0, stream: s) }.max() ?? 0) }
        if t.brokers.count > 12 { print("edges-sim \(label): per stream, most originals received per stream datagram at a broker: \(perStream.joined(separator: " "))") }
        if t.brokers.count > 12 { print("edges-sim \(label): per broker, most originals received per stream datagram: \(perBroker.joined(separator: " "))") }
        if !victims.isEmpty {
            print("edges-sim \(label): frames lost at failover (clients under killed brokers \(victims.sorted())): \(lostAffected) of \(expectedAffected)")
        }
        let rss = TreeSimulation.maxRSSMiB().map { String(format: "%.0f MiB", $0) } ?? "unknown"
        print("edges-sim \(label): wall time \(wall), max RSS \(rss), datagrams \(t.network.datagramsSent)")
        if refused.contains(where: { !$0.isEmpty }) { print("edges-sim \(label): refused per broker \(refused)") }
        // Each edge chose its first upstream, and moved once if that one was killed (no flapping).
        for b in t.brokers.indices where !t.brokers[b].upstreams.isEmpty && t.brokers[b].alive {
            let chosen = t.treeEvents[b].filter { if case .upstreamChosen = $0 { true } else { false } }
            XCTAssertEqual(chosen.count, victims.contains(t.brokers[b].upstreams[0]) ? 2 : 1, "\(label): edge \(b) chose \(chosen)")
        }
    }

    /// The issue's size: 3 cores, 20 edges under them and 10 under those, 10 streams (5 on cores, 5 on edges),
    /// 10,000 clients, 1% loss on every link; core 2 killed at 2 s, first-level edge 0 at 3 s.
    func testIssueSize() {
        let shape = TreeSimulation.Shape(cores: 3, edges: 20, secondLevel: 10, streams: 10, clients: 10_000)
        run("issue size", shape, loss: 0.01, seed: 24, mediaUntil: 4_500_000, kills: Kills(core: (2, 2_000_000), edge: (3, 3_000_000)))
    }

    func testSmallTree() {
        run("small tree", TreeSimulation.Shape(), loss: 0.01, seed: 1, mediaUntil: 4_000_000)
    }

    func testCoreKilled() {
        for seed in UInt64(2)...4 {
            for unreachable in [true, false] {
                let kills = Kills(core: (2, 2_000_000 + Int64(seed) * 37_000), unreachable: unreachable)
                run("core \(unreachable ? "killed" : "hung") seed \(seed)", TreeSimulation.Shape(), loss: 0.01, seed: seed, mediaUntil: 4_000_000, kills: kills)
            }
        }
    }

    /// First-level edge 0 (broker 3): its clients move to edge 1, the second-level edge under it to its other upstream.
    func testEdgeKilled() {
        for seed in UInt64(5)...7 {
            for unreachable in [true, false] {
                let kills = Kills(edge: (3, 2_000_000 + Int64(seed) * 37_000), unreachable: unreachable)
                run("edge \(unreachable ? "killed" : "hung") seed \(seed)", TreeSimulation.Shape(), loss: 0.01, seed: seed, mediaUntil: 4_000_000, kills: kills)
            }
        }
    }
}
