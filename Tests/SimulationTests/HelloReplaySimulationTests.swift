import BrokerCore
import SimulationSupport
import Wire
import XCTest

/// Issue 21, point 1: a captured HELLO (a producer's or a client's), replayed to any broker of the cluster from any
/// address, changes nothing. Before the challenge, a producer's HELLO replayed to another broker with the producer's
/// address moved its stream there (60 ownership moves in 10 s, 200 false "offline" notices at each client).
final class HelloReplaySimulationTests: XCTestCase {
    let p1 = ProducerID(rawValue: 0x1A_AA99)!
    let attacker = address(9999)

    final class Captured {
        var hellos: [PeerAddress: [[UInt8]]] = [:]
    }

    /// Three brokers, a producer on broker 0, a client of it on each of brokers 1 and 2. Every HELLO is captured.
    private func scene(seed: UInt64) -> (ClusterSimulation, Captured) {
        let c = ClusterSimulation(brokers: 3, conditions: InMemoryNetwork.Conditions(loss: 0, baseDelay: 1_000, jitter: 0), seed: seed, mediaUntil: 20_000_000)
        let captured = Captured()
        c.network.trace = { _, from, _, bytes, what in
            if what == "sent", !DataHeader.isData(bytes), (try? Message.peekType(bytes[...])) == .hello { captured.hellos[from, default: []].append(bytes) }
        }
        c.addProducer(p1, broker: 0, startAt: 100_000)
        c.addClient(broker: 1, selector: StreamID(producer: p1, index: 1), startAt: 300_000)
        c.addClient(broker: 2, selector: StreamID(producer: p1, index: 1), startAt: 300_000)
        c.run(until: 1_500_000)
        return (c, captured)
    }

    /// Sends each of `datagrams` (bytes, from, to) every 100 ms for 3 s.
    private func replay(_ datagrams: [([UInt8], PeerAddress, PeerAddress)], _ c: ClusterSimulation) {
        let end = c.now + 3_000_000
        while c.now < end {
            for (bytes, from, to) in datagrams { c.network.send(bytes, from: from, to: to, now: c.now) }
            c.run(until: c.now + 100_000)
        }
    }

    private func moves(_ c: ClusterSimulation) -> Int {
        c.events.joined().filter { if case .producerMoved = $0 { true } else { false } }.count
    }

    private func assertNothingMoved(_ c: ClusterSimulation, movesBefore: Int, framesBefore: [Int], file: StaticString = #filePath, line: UInt = #line) {
        let stream = StreamID(producer: p1, index: 1)
        XCTAssertEqual(moves(c), movesBefore, "no ownership move", file: file, line: line)
        for b in 0..<3 {
            XCTAssertEqual(c.brokers[b].streams[stream]?.origin, c.brokers[0].originTag, "broker \(b) still has it at broker 0", file: file, line: line)
            XCTAssertEqual(c.brokers[b].streams[stream]?.online, true, file: file, line: line)
        }
        for i in 0..<2 {
            XCTAssertGreaterThan(c.clients[i].frames.count - framesBefore[i], 80, "client \(i)'s frames go on", file: file, line: line)
        }
    }

    /// The producer's last HELLO (the one its broker welcomed), replayed with the producer's address to every broker,
    /// and from another address: no broker opens a session for it, nothing moves, the clients see nothing.
    func testACapturedProducerHelloReplayedToEveryBrokerChangesNothing() throws {
        let (c, captured) = scene(seed: 51)
        let producer = c.producers[0].address
        let hello = try XCTUnwrap(captured.hellos[producer]?.last)
        let (movesBefore, framesBefore) = (moves(c), c.clients.map(\.frames.count))
        let refusedBefore = (0..<3).map { c.refused(.staleChallenge, broker: $0) }
        var datagrams = c.brokerAddresses.map { (hello, producer, $0) }
        datagrams += c.brokerAddresses.map { (hello, attacker, $0) }
        replay(datagrams, c)
        assertNothingMoved(c, movesBefore: movesBefore, framesBefore: framesBefore)
        for b in 1..<3 {
            XCTAssertNil(c.brokers[b].sessions[producer], "broker \(b) opened no session for the replay")
            XCTAssertEqual(c.refused(.staleChallenge, broker: b) - refusedBefore[b], 30, "broker \(b) refused each replay")
        }
        XCTAssertNil(c.brokers[0].sessions[attacker])
        XCTAssertEqual(c.producers[0].session.link.isConnected, true)
    }

    /// The producer reconnects to its broker (a new attempt, a new nonce); its previous HELLO, replayed to that broker
    /// with its address within the challenge's lifetime, does not bring the old session (and media key) back.
    func testAnEarlierHelloOfTheProducerReplayedToItsBrokerChangesNothing() throws {
        let (c, captured) = scene(seed: 52)
        let producer = c.producers[0].address
        let old = try XCTUnwrap(captured.hellos[producer]?.last)
        c.producers[0].session.connect(now: c.now)
        c.run(until: c.now + 300_000)
        let stream = StreamID(producer: p1, index: 1)
        let nonceNow = c.brokers[0].streams[stream]?.nonce
        guard case .hello(let h) = try Message.decode(old) else { return XCTFail("not a HELLO") }
        XCTAssertNotEqual(nonceNow, h.nonce, "the producer is on a new nonce")
        let (movesBefore, framesBefore) = (moves(c), c.clients.map(\.frames.count))
        replay([(old, producer, c.brokerAddresses[0])], c)
        XCTAssertEqual(c.brokers[0].streams[stream]?.nonce, nonceNow, "the replayed nonce never comes back")
        assertNothingMoved(c, movesBefore: movesBefore, framesBefore: framesBefore)
        XCTAssertEqual(c.brokers[0].counters.dataForged, 0)
    }

    /// A client's HELLO replayed with its address to the two brokers it is not on opens no session there (on main
    /// each replay opened one, and WELCOMEs went to the client).
    func testACapturedClientHelloReplayedToOtherBrokersOpensNoSession() throws {
        let (c, captured) = scene(seed: 53)
        let client = c.clients[0].address
        let hello = try XCTUnwrap(captured.hellos[client]?.last)
        let framesBefore = c.clients.map(\.frames.count)
        replay([(hello, client, c.brokerAddresses[0]), (hello, client, c.brokerAddresses[2])], c)
        XCTAssertNil(c.brokers[0].sessions[client])
        XCTAssertNil(c.brokers[2].sessions[client])
        XCTAssertEqual(c.clients[0].connections, 1, "the client never reconnected")
        assertNothingMoved(c, movesBefore: 0, framesBefore: framesBefore)
    }

    /// The challenge of PROTOCOL.md §11's COOKIE is the broker's (the document's formula is the code's).
    func testTheChallengeOfTheWorkedExample() {
        let b = BrokerCore(epoch: 0x0123_4567_89AB_CDEF, cookieKey: (0x0706_0504_0302_0100, 0x0F0E_0D0C_0B0A_0908), publishSecret: testPublishSecret)
        XCTAssertEqual(b.challenge(for: address(40000), nonce: 0x1122_3344_5566_7789, now: 3_000_000), 0x0000_0BB8_93BC_B185)
        XCTAssertEqual(b.challenge(for: address(40000), nonce: 0x1122_3344_5566_778B, now: 3_000_999), 0x0000_0BB8_2557_B255)
        XCTAssertNotEqual(b.challenge(for: address(40001), nonce: 0x1122_3344_5566_7789, now: 3_000_000), 0x0000_0BB8_93BC_B185)
    }
}
