import SimulationSupport
import Wire
import XCTest

@testable import BrokerCore

/// A HELLO with a connected peer's address but without its cookie (what an off-path spoofer can send) leaves
/// that peer's session as it was: it only draws a COOKIE carrying the HELLO's own nonce, which the real peer
/// ignores (it answers none of its requests).
final class SpoofedHelloTests: XCTestCase {
    let producer = address(4001)
    let client = address(4002)

    func connected() -> (BrokerHarness, clientToken: UInt64) {
        var h = BrokerHarness()
        h.connectProducer(producer)
        let token = h.connect(client, role: .client)
        _ = h.subscribe(client, token: token, allOfTestProducer)
        return (h, token)
    }

    func spoofedHellos(from victim: PeerAddress) -> [Message] {
        [
            .hello(Hello(token: 0, nonce: 0xdead, role: .client, producer: nil, streams: [])),
            .hello(Hello(token: 0x1234_5678, nonce: 0xbeef, role: .producer, producer: ProducerID(rawValue: 0x2B_BB77)!, streams: [])),
            .hello(
                Hello(
                    token: 0, nonce: 0xf00d, role: .producer, producer: testProducer,
                    streams: [StreamDescriptor(index: 1, kind: .video, rateMilli: 1_000)])),
        ]
    }

    func testSpoofedHellosWithAConnectedClientsAddressLeaveItsSession() {
        var (h, token) = connected()
        let before = h.broker.sessions[client]
        for m in spoofedHellos(from: client) {
            guard case .hello(let hello) = m else { continue }
            let out = h.receive(m, from: client)
            // The answer is a COOKIE for the spoofed HELLO's nonce, never the client's token: the client ignores it.
            let challenge = h.broker.challenge(for: client, nonce: hello.nonce, now: h.now)
            XCTAssertEqual(out.messages(to: client), [.cookie(nonce: hello.nonce, token: h.broker.cookie(for: client), challenge: challenge)])
            XCTAssertNotEqual(hello.nonce, token)
        }
        XCTAssertEqual(h.broker.sessions[client]?.token, before?.token)
        XCTAssertEqual(h.broker.sessions[client]?.slot, before?.slot)
        XCTAssertEqual(h.broker.sessions[client]?.selectors, [allOfTestProducer])
        XCTAssertEqual(h.broker.streams[videoStream]?.subscribers.map(\.address), [client])
        XCTAssertFalse(h.events.contains { if case .peerLeft = $0 { true } else { false } })
        // Its requests and media go on.
        let hb = h.receive(.heartbeat(token: token, sendTime: 9, rttMicros: 0), from: client)
        XCTAssertEqual(hb.messages(to: client), [.heartbeatAck(echoTime: 9, epoch: 1)])
    }

    func testSpoofedHellosWithAConnectedProducersAddressLeaveItsStreamsOnline() {
        var (h, _) = connected()
        for m in spoofedHellos(from: producer) { _ = h.receive(m, from: producer) }
        XCTAssertEqual(h.broker.sessions[producer]?.producer, testProducer)
        XCTAssertEqual(h.broker.streams[videoStream]?.online, true)
        XCTAssertEqual(h.broker.streams[audioStream]?.online, true)
        XCTAssertEqual(h.broker.producerCount, 1)
        var out: [BrokerOutput] = []
        for d in frameDatagrams(1, firstSequence: 0, key: testMediaKey()) {
            out += h.receive(d, from: producer)
        }
        XCTAssertEqual(out.media(to: client).count, 3)
    }
}
