import BrokerCore
import SimulationSupport
import Wire
import XCTest

/// Issue 21, points 4 and 5: what someone who captured traffic between two brokers can do with it. A BYE between
/// brokers is tagged, link tokens change with every run of either broker, and a message of a run that a restart
/// replaced changes nothing.
final class ClusterReplaySimulationTests: XCTestCase {
    let p1 = ProducerID(rawValue: 0x1A_AA99)!
    let quiet = InMemoryNetwork.Conditions(loss: 0, baseDelay: 1_000, jitter: 0)

    /// Two brokers, a producer on broker 0 and a client of it on broker 1; everything broker 0 sends broker 1 is
    /// captured (`captured`, in order).
    private func scene(seed: UInt64) -> (ClusterSimulation, Captured) {
        let c = ClusterSimulation(brokers: 2, conditions: quiet, seed: seed, mediaUntil: 20_000_000)
        let captured = Captured()
        let (a, b) = (c.brokerAddresses[0], c.brokerAddresses[1])
        c.network.trace = { _, from, to, bytes, what in
            if what == "sent" && from == a && to == b && !DataHeader.isData(bytes) { captured.datagrams.append(bytes) }
        }
        c.addProducer(p1, broker: 0, startAt: 100_000)
        c.addClient(broker: 1, selector: StreamID(producer: p1, index: 1), startAt: 300_000)
        c.run(until: 1_500_000)
        XCTAssertEqual(c.brokers[1].peerLinks[a]?.up, true)
        return (c, captured)
    }

    final class Captured {
        var datagrams: [[UInt8]] = []
        func last(_ type: MessageType) -> [UInt8]? { datagrams.last { (try? Message.peekType($0[...])) == type } }
    }

    /// Sends `bytes` from broker 0's address to broker 1 every `every` µs for `duration`.
    private func replay(_ bytes: [UInt8], _ c: ClusterSimulation, every: Int64 = 50_000, for duration: Int64 = 2_000_000) {
        let end = c.now + duration
        while c.now < end {
            c.network.send(bytes, from: c.brokerAddresses[0], to: c.brokerAddresses[1], now: c.now)
            c.run(until: c.now + every)
        }
    }

    private func linkDowns(_ c: ClusterSimulation) -> Int { c.events[1].filter { $0 == .peerDown(c.brokerAddresses[0]) }.count }

    /// A BYE with the link token seen in a PEER_HELLO (it travels in the clear), sent with broker 0's address: before,
    /// 107 link drops in 10 s. Untagged, it is refused; the link and the client's frames go on.
    func testASpoofedPeerByeWithTheLinkTokenChangesNothing() throws {
        let (c, captured) = scene(seed: 31)
        let hello = try XCTUnwrap(captured.last(.peerHello))
        guard case .peerHello(let h) = try Message.decode(hello) else { return XCTFail("not a PEER_HELLO") }
        let downs = linkDowns(c)
        let framesBefore = c.clients[0].frames.count
        replay(Message.bye(token: h.token, reason: .shutdown).encode(), c)
        XCTAssertEqual(linkDowns(c), downs, "no spoofed BYE takes the link down")
        XCTAssertEqual(c.brokers[1].peerLinks[c.brokerAddresses[0]]?.up, true)
        XCTAssertGreaterThan(c.refused(.badPeerTag, broker: 1), 30)
        XCTAssertGreaterThan(c.clients[0].frames.count - framesBefore, 50, "frames go on")
    }

    /// Broker 0 drains (its tagged BYE takes the link down at once, as it should), comes back as a new run and links
    /// again; its old BYE, replayed, carries the token of the old run and changes nothing.
    func testABrokersByeReplayedAfterItRestartedChangesNothing() throws {
        let (c, captured) = scene(seed: 32)
        c.drain(broker: 0)
        c.run(until: c.now + 10_000)
        let bye = try XCTUnwrap(captured.last(.bye))
        XCTAssertEqual(bye.count, WireConstants.peerByeSize, "a BYE between brokers is tagged")
        XCTAssertEqual(c.brokers[1].peerLinks[c.brokerAddresses[0]]?.up, false, "the genuine BYE takes the link down at once")
        c.run(until: c.now + 1_500_000)
        c.restart(broker: 0)
        c.run(until: c.now + 1_000_000)
        XCTAssertEqual(c.brokers[1].peerLinks[c.brokerAddresses[0]]?.up, true)
        XCTAssertEqual(c.brokers[1].peerLinks[c.brokerAddresses[0]]?.brokerID, c.epochs[0])
        let downs = linkDowns(c)
        replay(bye, c)
        XCTAssertEqual(linkDowns(c), downs, "the old run's BYE changes nothing")
        XCTAssertGreaterThan(c.refused(.peerNotLinked, broker: 1), 30)
    }

    /// Before: a PEER_HELLO captured before broker 0 restarted, replayed after, dropped the link on every replay (200
    /// drops in 10 s). Now the old run is retired at broker 1: the replay is refused as stale and nothing moves.
    func testAPeerHelloFromBeforeARestartChangesNothing() throws {
        let (c, captured) = scene(seed: 33)
        let old = try XCTUnwrap(captured.last(.peerHello))
        c.kill(broker: 0)
        c.run(until: c.now + 300_000)
        c.restart(broker: 0)
        c.run(until: c.now + 1_000_000)
        let a = c.brokerAddresses[0]
        XCTAssertEqual(c.brokers[1].peerLinks[a]?.brokerID, c.epochs[0], "linked to the new run")
        let downs = linkDowns(c)
        let stale = c.refused(.stalePeerHello, broker: 1)
        replay(old, c, every: 100_000)
        XCTAssertEqual(linkDowns(c), downs, "the old run's PEER_HELLO changes nothing")
        XCTAssertEqual(c.brokers[1].peerLinks[a]?.brokerID, c.epochs[0])
        XCTAssertEqual(c.refused(.stalePeerHello, broker: 1) - stale, 20)
        let stream = StreamID(producer: p1, index: 1)
        XCTAssertEqual(c.brokers[1].streams[stream]?.online, true)
    }

    /// The link token broker 1 gives broker 0 changes when broker 1 restarts (and when broker 0 does: it is bound to
    /// both runs), so nothing captured in one run is a valid token in the next.
    func testLinkTokensChangeWithEveryRun() throws {
        let (c, captured) = scene(seed: 34)
        func token() throws -> UInt64 {
            guard case .peerHello(let h) = try Message.decode(try XCTUnwrap(captured.last(.peerHello))) else { return 0 }
            return h.token
        }
        let first = try token()
        c.kill(broker: 1)
        c.run(until: c.now + 300_000)
        c.restart(broker: 1)
        c.run(until: c.now + 1_000_000)
        let second = try token()
        XCTAssertNotEqual(first, 0)
        XCTAssertNotEqual(second, 0)
        XCTAssertNotEqual(first, second, "a new run of broker 1 gives a new token")
        c.kill(broker: 0)
        c.run(until: c.now + 300_000)
        c.restart(broker: 0)
        c.run(until: c.now + 1_000_000)
        let third = try token()
        XCTAssertNotEqual(third, second, "so does a new run of broker 0")
        XCTAssertEqual(c.brokers[1].peerLinks[c.brokerAddresses[0]]?.up, true)
    }

    /// The worked example of PROTOCOL.md §11: the link token broker 0BADCAFE00D0E0F1 gives broker 5EED0000004C2A1B at
    /// 127.0.0.1:40000, and that broker's tagged BYE (the dissector's samples, `wire-samples`, carry it too).
    func testTheLinkTokenAndTheTaggedByeOfTheWorkedExample() {
        let secret = Array("demo-cluster-secret-change-me".utf8)
        let receiver = BrokerCore(epoch: 0x0BAD_CAFE_00D0_E0F1, cookieKey: (1, 2), publishSecret: testPublishSecret, cluster: ClusterConfig(secret: secret))
        let token = receiver.linkToken(for: address(40000), holder: 0x5EED_0000_004C_2A1B)
        XCTAssertEqual(token, 0x3A8B_DC39_BE8C_A937)
        XCTAssertNotEqual(receiver.linkToken(for: address(40000), holder: 0x5EED_0000_004C_2A1C), token, "another run, another token")
        var bye = Message.bye(token: token, reason: .shutdown).encode() + [UInt8](repeating: 0, count: 8)
        ClusterKey(secret: secret).seal(&bye)
        XCTAssertEqual(Array(bye[16...]), [0xBF, 0x5C, 0xCC, 0x52, 0x87, 0x7F, 0xD5, 0xFD])
        XCTAssertEqual(try Message.decode(bye), .bye(token: token, reason: .shutdown))
    }
}
