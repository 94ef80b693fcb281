import BrokerCore
import SimulationSupport
import Wire
import XCTest

/// Issue 21, point 6 (SECURITY.md gap 3): control messages "from" the broker, sent by someone who knows a client's or
/// a producer's address and port but sees nothing, or replayed by someone who captured genuine ones. Before, per
/// 1,000 spoofs a BYE forced 168 client and 167 producer reconnects, a HEARTBEAT_ACK of another epoch 1,000 each,
/// STREAM_STATUS 1,000 false "offline" lines, and a failover client moved 338 times. Now each is dropped unread.
final class SpoofedControlSimulationTests: XCTestCase {
    let p1 = ProducerID(rawValue: 0x1A_AA99)!

    final class Captured {
        var toClient: [[UInt8]] = []
    }

    /// Two brokers; a failover producer and a failover client on broker 0, streaming.
    private func scene(seed: UInt64) -> (ClusterSimulation, Captured) {
        let c = ClusterSimulation(brokers: 2, conditions: InMemoryNetwork.Conditions(loss: 0, baseDelay: 1_000, jitter: 0), seed: seed, mediaUntil: 20_000_000)
        let captured = Captured()
        let broker = c.brokerAddresses[0]
        let client = address(7000)
        c.network.trace = { _, from, to, bytes, what in
            if what == "sent", from == broker, to == client, !DataHeader.isData(bytes) { captured.toClient.append(bytes) }
        }
        c.addProducer(p1, broker: 0, startAt: 100_000, failover: true)
        c.addClient(broker: 0, selector: StreamID(producer: p1, index: 1), startAt: 300_000, failover: true)
        c.run(until: 1_500_000)
        XCTAssertEqual(c.clients[0].address, client)
        return (c, captured)
    }

    /// The control messages an off-path spoofer can send: what the broker sent before (unsealed), and each with a
    /// trailer under a key of its own.
    private func forgeries(token: UInt64) -> [[UInt8]] {
        let plain: [Message] = [
            .bye(token: 0, reason: .shutdown), .bye(token: token, reason: .disconnected), .heartbeatAck(echoTime: 0, epoch: 0xBAD),
            .streamStatus(StreamStatus(stream: StreamID(producer: p1, index: 1), state: .offline, rateMilli: 0)),
            .error(ErrorReply(requestID: 0, code: .notAuthorized, reason: "spoofed")),
        ]
        let guess = ControlSeal(key: DataMAC(k0: 1, k1: 2))
        return plain.map { $0.encode() } + plain.map { guess.seal($0.encode(), counter: 1_000) }
    }

    private func producerOnlineEvents(_ c: ClusterSimulation) -> Int {
        c.events.joined().filter { if case .producerOnline = $0 { true } else { false } }.count
    }

    func testSpoofedControlToClientsAndProducersChangesNothing() {
        let (c, _) = scene(seed: 61)
        let (client, producer, broker) = (c.clients[0].address, c.producers[0].address, c.brokerAddresses[0])
        let framesBefore = c.clients[0].frames.count
        let onlineBefore = producerOnlineEvents(c)
        let spoofs = forgeries(token: c.clients[0].session.link.token)
        for _ in 0..<20 {
            for s in spoofs {
                c.network.send(s, from: broker, to: client, now: c.now)
                c.network.send(s, from: broker, to: producer, now: c.now)
            }
            c.run(until: c.now + 50_000)
        }
        XCTAssertEqual(c.clients[0].connections, 1, "the client never reconnected")
        XCTAssertTrue(c.clients[0].moves.isEmpty, "nor moved")
        XCTAssertEqual(producerOnlineEvents(c), onlineBefore, "the producer never reconnected")
        XCTAssertEqual(c.producers[0].session.link.suspicionsConfirmed, 0)
        XCTAssertEqual(c.clients[0].session.link.unauthenticated, 20 * spoofs.count)
        XCTAssertEqual(c.producers[0].session.link.unauthenticated, 20 * spoofs.count)
        XCTAssertGreaterThan(c.clients[0].frames.count - framesBefore, 25, "frames go on")
    }

    /// Genuine control messages captured on the way to the client (HEARTBEAT_ACKs, the WELCOME, ACKs), replayed:
    /// their counters were taken, so each is dropped.
    func testReplayedGenuineControlToAClientIsDropped() {
        let (c, captured) = scene(seed: 62)
        let sealed = captured.toClient.filter { (try? Message.peekType($0[...])).map(ControlSeal.isSealed) == true }
        XCTAssertGreaterThan(sealed.count, 3)
        XCTAssertTrue(sealed.allSatisfy { (try? Message.decode($0)) == nil }, "every one carries its trailer")
        let before = c.clients[0].session.link.unauthenticated
        for s in sealed { c.network.send(s, from: c.brokerAddresses[0], to: c.clients[0].address, now: c.now) }
        c.run(until: c.now + 100_000)
        XCTAssertEqual(c.clients[0].session.link.unauthenticated - before, sealed.count)
        XCTAssertEqual(c.clients[0].connections, 1)
    }
}
