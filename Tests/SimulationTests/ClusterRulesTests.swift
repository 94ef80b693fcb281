import BrokerCore
import SimulationSupport
import Wire
import XCTest

/// The cluster's rules, each on its own: cookies valid cluster-wide, one hop only, interest only where clients are.
final class ClusterRulesTests: XCTestCase {
    let p1 = ProducerID(rawValue: 0x1A_AA99)!

    func testCookiesAreTheSameAtEveryBrokerOfTheClusterAndOnlyThere() {
        let secret = ClusterSimulation.secret
        let a = BrokerCore(epoch: 1, cookieKey: (1, 2), publishSecret: testPublishSecret, cluster: ClusterConfig(secret: secret))
        let b = BrokerCore(epoch: 2, cookieKey: (3, 4), publishSecret: testPublishSecret, cluster: ClusterConfig(secret: secret))
        let other = BrokerCore(epoch: 3, cookieKey: (3, 4), publishSecret: testPublishSecret, cluster: ClusterConfig(secret: secret + [1]))
        let alone = BrokerCore(epoch: 4, cookieKey: (3, 4), publishSecret: testPublishSecret)
        for port: UInt16 in [4000, 4001, 9999] {
            XCTAssertEqual(a.cookie(for: address(port)), b.cookie(for: address(port)), "a client moving from a to b keeps its token (it still answers b's challenge)")
            XCTAssertNotEqual(a.cookie(for: address(port)), other.cookie(for: address(port)), "another cluster's cookies differ")
            XCTAssertNotEqual(a.cookie(for: address(port)), alone.cookie(for: address(port)))
        }
    }

    /// A producer on broker 0 and one client on broker 1: broker 0 sends to broker 1 only, and nothing leaves
    /// broker 1 or 2 for another broker (what a broker receives from a peer goes to its own clients only).
    func testOneHopAndInterestOnlyWhereClientsAre() {
        let c = ClusterSimulation(brokers: 3, conditions: InMemoryNetwork.Conditions(loss: 0, baseDelay: 1_000, jitter: 0), seed: 9, mediaUntil: 3_000_000)
        c.addProducer(p1, broker: 0, startAt: 200_000)
        c.addClient(broker: 1, selector: StreamID(producer: p1, index: 0), startAt: 400_000)
        c.run(until: 3_500_000)
        let stream = StreamID(producer: p1, index: 1)
        let (got, expected) = c.delivered(client: 0, stream: stream, window: 1_000_000..<3_000_000)
        XCTAssertEqual(got, expected)
        XCTAssertGreaterThan(c.peerData[0][1], 100)
        XCTAssertEqual(c.peerData[0][2], 0, "broker 2 has no client of it: no interest, nothing sent")
        for from in [1, 2] { XCTAssertEqual(c.peerData[from].reduce(0, +), 0, "broker \(from) relays nothing to a peer") }
        // Every broker knows the stream and where it is (the announcement reached all), ignores itself in the list.
        for b in 0..<3 {
            XCTAssertEqual(c.brokers[b].streams[stream]?.online, true, "broker \(b)")
            XCTAssertEqual(c.brokers[b].streams[stream]?.origin, c.brokers[0].originTag, "broker \(b)")
            XCTAssertEqual(c.brokers[b].peerLinks.values.filter(\.isSelf).map(\.address), [c.brokerAddresses[b]])
        }
        XCTAssertEqual(c.brokers[2].streams[stream]?.subscribers.count, 0)
    }

    /// A broker that goes silent: within the link timeout its streams go offline at the others, and the link and
    /// the streams come back by themselves when it returns.
    func testADeadPeersStreamsGoOfflineWithinTheLinkTimeoutAndComeBack() {
        let c = ClusterSimulation(brokers: 2, conditions: InMemoryNetwork.Conditions(loss: 0, baseDelay: 1_000, jitter: 0), seed: 5, mediaUntil: 6_000_000)
        c.addProducer(p1, broker: 0, startAt: 100_000)
        c.addClient(broker: 1, selector: StreamID(producer: p1, index: 1), startAt: 300_000)
        c.run(until: 2_000_000)
        let stream = StreamID(producer: p1, index: 1)
        XCTAssertEqual(c.brokers[1].streams[stream]?.online, true)
        c.alive[0] = false
        c.run(until: 2_000_000 + ClusterConfig(secret: []).linkTimeout + 150_000)
        XCTAssertEqual(c.brokers[1].streams[stream]?.online, false, "offline within the link timeout (800 ms) and a tick")
        XCTAssertTrue(c.events[1].contains(.peerDown(c.brokerAddresses[0])))
        c.alive[0] = true
        c.run(until: 4_000_000)
        XCTAssertEqual(c.brokers[1].streams[stream]?.online, true, "back by itself")
        let framesAfter = c.clients[0].frames.filter { $0.time > 3_500_000 }.count
        XCTAssertGreaterThan(framesAfter, 5, "and frames flow again to the client of broker 1")
    }

    /// A producer that reconnects to the same broker (a new HELLO nonce, so a new media key): the peers learn the
    /// new nonce from the announcement and go on checking its relayed DATA.
    func testAProducerSessionWithANewNonceIsFollowedByThePeers() {
        let c = ClusterSimulation(brokers: 2, conditions: InMemoryNetwork.Conditions(loss: 0, baseDelay: 1_000, jitter: 0), seed: 6, mediaUntil: 4_000_000)
        c.addProducer(p1, broker: 0, startAt: 100_000)
        c.addClient(broker: 1, selector: StreamID(producer: p1, index: 1), startAt: 300_000)
        c.run(until: 1_500_000)
        c.producers[0].session.connect(now: c.now)  // a new connection attempt: a new nonce, from the same address
        c.run(until: 3_500_000)
        XCTAssertEqual(c.brokers[1].counters.dataForged, 0, "broker 1 checks the relayed DATA with the new key")
        XCTAssertGreaterThan(c.clients[0].frames.filter { $0.time > 2_500_000 }.count, 20, "frames go on at broker 1")
    }

    /// Brokers far apart (140 ms round trip, more than one PEER_HELLO interval) still link: a COOKIE answering any
    /// recent PEER_HELLO is taken.
    func testBrokersFartherApartThanAHeartbeatStillLink() {
        let c = ClusterSimulation(brokers: 2, conditions: InMemoryNetwork.Conditions(loss: 0, baseDelay: 70_000, jitter: 0), seed: 8, mediaUntil: 3_000_000)
        c.addProducer(p1, broker: 0, startAt: 100_000)
        c.addClient(broker: 1, selector: StreamID(producer: p1, index: 1), startAt: 300_000)
        c.run(until: 3_500_000)
        XCTAssertEqual(c.brokers[0].peerLinks[c.brokerAddresses[1]]?.up, true)
        let rtt = c.brokers[0].peerLinks[c.brokerAddresses[1]]!.rtt.smoothed
        XCTAssertEqual(Double(rtt), 140_000, accuracy: 5_000, "the echo delay keeps the RTT honest")
        XCTAssertGreaterThan(c.clients[0].frames.count, 30)
    }
}
