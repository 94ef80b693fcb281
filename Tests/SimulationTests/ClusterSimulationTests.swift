import BrokerCore
import SimulationSupport
import Wire
import XCTest

/// Three brokers in a mesh, two producers on different brokers, clients on all three, every link (the peer links
/// too) losing, duplicating and reordering: frames reach every client intact, and each stream crosses each peer
/// link once per interested broker (plus repairs), never once per subscriber.
final class ClusterSimulationTests: XCTestCase {
    let p1 = ProducerID(rawValue: 0x1A_AA99)!
    let p2 = ProducerID(rawValue: 0x2B_BB77)!
    static let countFrom: Int64 = 2_000_000
    static let countUntil: Int64 = 12_000_000

    func cluster(loss: Double, seed: UInt64) -> ClusterSimulation {
        let c = ClusterSimulation(
            brokers: 3, conditions: InMemoryNetwork.Conditions(loss: loss, duplication: loss > 0 ? 0.02 : 0, baseDelay: 2_000, jitter: 6_000),
            seed: seed, mediaUntil: Self.countUntil + 1_000_000)
        c.addProducer(p1, broker: 0, startAt: 200_000)
        c.addProducer(p2, broker: 1, startAt: 300_000)
        // Clients on every broker: three watch p1 (two of them on broker 2), two watch p2.
        c.addClient(broker: 1, selector: StreamID(producer: p1, index: 0), startAt: 400_000)
        c.addClient(broker: 2, selector: StreamID(producer: p1, index: 1), startAt: 500_000)
        c.addClient(broker: 2, selector: StreamID(producer: p1, index: 0), startAt: 600_000)
        c.addClient(broker: 0, selector: StreamID(producer: p2, index: 1), startAt: 700_000)
        c.addClient(broker: 2, selector: StreamID(producer: p2, index: 0), startAt: 800_000)
        c.run(until: Self.countUntil + 1_500_000)
        return c
    }

    func verify(_ c: ClusterSimulation, label: String, minimum: Double) {
        for (i, client) in c.clients.enumerated() {
            XCTAssertTrue(client.frames.allSatisfy(\.intact), "\(label): client \(i) got a corrupted frame")
            let stream = StreamID(producer: client.selector.producer, index: 1)
            let numbers = client.frames.filter { $0.stream == stream }.map(\.number)
            XCTAssertEqual(Set(numbers).count, numbers.count, "\(label): client \(i) got a frame twice")
            let (got, expected) = c.delivered(client: i, stream: stream, window: Self.countFrom..<Self.countUntil)
            let ratio = Double(got) / Double(max(expected, 1))
            print("cluster simulation \(label): client \(i) on broker \(client.broker), \(stream): \(got)/\(expected) = \(String(format: "%.3f", ratio * 100))%")
            XCTAssertGreaterThan(expected, 250)
            XCTAssertGreaterThanOrEqual(ratio, minimum, "\(label): client \(i)")
        }
    }

    /// Per stream datagram the origin sent, how many crossed to each interested broker.
    func peerCopies(_ c: ClusterSimulation, from origin: Int, to: Int) -> Int { c.peerData[origin][to] }

    func testTenPercentLossOnEveryLinkDeliversAtLeast999PerMille() {
        for seed: UInt64 in [3, 4] {
            let c = cluster(loss: 0.10, seed: seed)
            verify(c, label: "10% loss seed \(seed)", minimum: 0.999)
            let sentByP1 = c.brokers[0].streams[StreamID(producer: p1, index: 1)]!.datagramsIn
            for to in [1, 2] {
                let originals = Double(c.peerData[0][to] - c.peerResent[0][to] - c.peerCached[0][to]) / Double(sentByP1)
                print("cluster simulation 10% loss seed \(seed): broker 0 -> \(to): \(String(format: "%.3f", originals)) originals per stream datagram, \(c.peerResent[0][to]) resent")
                XCTAssertLessThan(originals, 1.01, "once per interested broker")
            }
        }
    }

    func testLosslessMeshDeliversEverythingOncePerInterestedBroker() {
        let c = cluster(loss: 0, seed: 1)
        verify(c, label: "lossless", minimum: 1.0)
        // p1 (on broker 0) is wanted at brokers 1 and 2; broker 2 has two clients of it, but gets one copy.
        let sentByP1 = c.brokers[0].streams[StreamID(producer: p1, index: 1)]!.datagramsIn
        XCTAssertGreaterThan(sentByP1, 1000)
        for to in [1, 2] {
            let ratio = Double(peerCopies(c, from: 0, to: to)) / Double(sentByP1)
            print(
                "cluster simulation lossless: broker 0 -> \(to): \(String(format: "%.3f", ratio)) DATA datagrams per stream datagram"
                    + " (\(c.peerResent[0][to]) resent, \(c.peerCached[0][to]) from the join cache)")
            // Originals cross once; the rest are repairs (this network's jitter reorders, which draws NACKs) and the join frame.
            let originals = Double(c.peerData[0][to] - c.peerResent[0][to] - c.peerCached[0][to]) / Double(sentByP1)
            // (from when the broker's interest arrived: the stream datagrams before that went to nobody)
            XCTAssertGreaterThan(originals, 0.95)
            XCTAssertLessThanOrEqual(originals, 1.0, "once per interested broker, not once per subscriber")
            XCTAssertGreaterThanOrEqual(ratio, 1.0)
        }
        XCTAssertEqual(c.brokers[1].streams[StreamID(producer: p1, index: 1)]?.remote, true)
        for b in 0..<3 {
            XCTAssertEqual(c.brokers[b].peerLinks.values.filter(\.up).count, 2, "broker \(b) is linked to both others")
            XCTAssertEqual(c.brokers[b].peerLinks.values.filter(\.isSelf).count, 1, "broker \(b) ignores itself")
        }
    }
}
