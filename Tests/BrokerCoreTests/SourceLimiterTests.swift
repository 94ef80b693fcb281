import SimulationSupport
import Wire
import XCTest

@testable import BrokerCore

final class SourceLimiterTests: XCTestCase {
    func peer(_ net: UInt32, _ host: UInt32, port: UInt16 = 9000) -> PeerAddress { PeerAddress(ipv4: 0x0a00_0000 | net << 8 | host, port: port) }

    func testABurstThenTheSustainedRatePerNetwork() {
        var l = SourceLimiter(perSecond: 100, burst: 10, maxSources: 16)
        // Ten at once from any addresses and ports of one /24, then one per 10 ms.
        XCTAssertEqual((0..<20).filter { l.admit(peer(1, UInt32($0), port: UInt16(1000 + $0)), now: 0) }.count, 10)
        XCTAssertFalse(l.admit(peer(1, 1), now: 5_000))
        XCTAssertTrue(l.admit(peer(1, 1), now: 10_000))
        XCTAssertFalse(l.admit(peer(1, 1), now: 10_000))
        // Another network has its own bucket.
        XCTAssertEqual((0..<20).filter { _ in l.admit(peer(2, 7), now: 10_000) }.count, 10)
        XCTAssertEqual(l.dropped, 10 + 1 + 1 + 10)
        // A quiet network refills.
        XCTAssertEqual((0..<20).filter { _ in l.admit(peer(1, 9), now: 1_000_000) }.count, 10)
    }

    func testIPv6SourcesAreGroupedBy64() {
        var l = SourceLimiter(perSecond: 1, burst: 1, maxSources: 16)
        XCTAssertTrue(l.admit(PeerAddress(ipv6High: 0x2001_0db8_0000_0001, low: 1, port: 1), now: 0))
        XCTAssertFalse(l.admit(PeerAddress(ipv6High: 0x2001_0db8_0000_0001, low: 2, port: 2), now: 0))
        XCTAssertTrue(l.admit(PeerAddress(ipv6High: 0x2001_0db8_0000_0002, low: 1, port: 1), now: 0))
    }

    func testTheTableIsBoundedAndRefilledBucketsMakeRoom() {
        var l = SourceLimiter(perSecond: 10, burst: 2, maxSources: 4)
        for n in 0..<4 { XCTAssertTrue(l.admit(peer(UInt32(n), 1), now: 0)) }
        // Full of busy networks: a new one goes to the shared overflow bucket (burst 2).
        XCTAssertTrue(l.admit(peer(10, 1), now: 0))
        XCTAssertTrue(l.admit(peer(11, 1), now: 0))
        XCTAssertFalse(l.admit(peer(12, 1), now: 0))
        XCTAssertEqual(l.count, 4)
        XCTAssertEqual(l.overflowed, 3)
        // Once the old buckets have refilled, a new network takes the place of one.
        XCTAssertTrue(l.admit(peer(20, 1), now: 1_000_000))
        XCTAssertTrue(l.admit(peer(20, 1), now: 1_000_000))
        XCTAssertFalse(l.admit(peer(20, 1), now: 1_000_000), "its own bucket, not the overflow's")
        XCTAssertEqual(l.count, 4)
        XCTAssertEqual(l.overflowed, 3)
    }

    /// 200 validated sessions in one /24 send SUBSCRIBE bursts: beyond the network's burst they are dropped,
    /// counted, while a subscriber elsewhere is answered and a session's heartbeats are never limited.
    func testASubscribeFloodFromOneNetworkDoesNotStarveAnother() {
        var limits = Limits()
        limits.sourceRequestsPerSecond = 100
        limits.sourceRequestBurst = 200
        limits.sourceHandshakesPerSecond = 1_000
        limits.sourceHandshakeBurst = 1_000
        var h = BrokerHarness(limits: limits)
        h.connectProducer(address(4001))
        var flood: [(PeerAddress, UInt64)] = []
        for i in 0..<200 {
            let a = peer(1, UInt32(i))
            flood.append((a, h.connect(a, role: .client)))
        }
        var acked = 0
        for round in 0..<10 {
            for (a, t) in flood {
                let out = h.subscribe(a, token: t, round % 2 == 0 ? videoStream : audioStream, requestID: UInt32(round))
                acked += out.messages(to: a).count
            }
        }
        XCTAssertEqual(acked, 200)
        XCTAssertEqual(h.broker.sourceLimits.requests.dropped, 1_800)
        let legit = peer(2, 1)
        let token = h.connect(legit, role: .client)
        XCTAssertEqual(
            h.subscribe(legit, token: token, videoStream).messages(to: legit), [.ack(Ack(requestID: 1, selector: videoStream, status: .online))])
        // Heartbeats of the flooding sessions are still answered.
        let (a, t) = flood[0]
        XCTAssertEqual(h.receive(.heartbeat(token: t, sendTime: 3, rttMicros: 0), from: a).messages(to: a), [.heartbeatAck(echoTime: 3, epoch: 1)])
    }

    func testHellosAndSessionlessRequestsShareTheHandshakeLimit() {
        var limits = Limits()
        limits.sourceHandshakesPerSecond = 10
        limits.sourceHandshakeBurst = 5
        var h = BrokerHarness(limits: limits)
        var cookies = 0
        for i in 0..<10 {
            let a = peer(3, UInt32(i))
            let m: Message =
                i % 2 == 0
                ? .hello(Hello(token: 0, nonce: 1, role: .client, producer: nil, streams: []))
                : .heartbeat(token: 5, sendTime: 0, rttMicros: 0)
            cookies += h.receive(m, from: a).messages(to: a).count
        }
        XCTAssertEqual(cookies, 5)
        XCTAssertEqual(h.broker.sourceLimits.handshakes.dropped, 5)
    }
}
