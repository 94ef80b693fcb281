import XCTest

@testable import BrokerCore
@testable import Wire

/// The cluster's mesh on its own, fed crafted PEER_* messages (as the core would after checking their tag): what it
/// asks of the core, and what it refuses. The whole cluster runs in the simulation (ClusterSimulationTests).
final class PeerMeshTests: XCTestCase {
    let me = PeerAddress(ipv4: 0x7F00_0001, port: 5000)
    let peer = PeerAddress(ipv4: 0x7F00_0002, port: 5000)
    let peerID: UInt64 = 0x5EED_0000_0000_0B0B
    let stream = StreamID(producer: ProducerID(rawValue: 0x1AAA99)!, index: 1)

    func mesh() -> PeerMesh {
        var m = PeerMesh(config: ClusterConfig(secret: Array("a cluster secret of the tests".utf8)), brokerID: 0x5EED_0000_0000_0A0A)
        m.setPeers([peer], now: 0)
        return m
    }

    func drain(_ m: inout PeerMesh) -> [MeshAction] {
        var all: [MeshAction] = []
        while let a = m.actions.pop() { all.append(a) }
        return all
    }

    func hello(_ m: PeerMesh, sendTime: UInt64, token: UInt64? = nil, brokerID: UInt64? = nil) -> Message {
        let id = brokerID ?? peerID
        return .peerHello(
            PeerHello(
                token: token ?? m.linkToken(for: peer, holder: id), brokerID: id, sendTime: sendTime, echoTime: 0, announceVersion: 1,
                announceAck: 0, interestVersion: 0, interestAck: 0))
    }

    /// Brings the link up: a PEER_HELLO with the right token.
    func linked() -> PeerMesh {
        var m = mesh()
        m.handle(hello(m, sendTime: 10), from: peer, peerSession: false, streams: StreamTable(), blocks: BlockList(origin: 1), now: 1_000)
        _ = drain(&m)
        return m
    }

    func testAHelloWithTheWrongTokenIsAnsweredWithTheTokenAndChangesNothing() {
        var m = mesh()
        m.handle(hello(m, sendTime: 10, token: 42), from: peer, peerSession: false, streams: StreamTable(), blocks: BlockList(origin: 1), now: 1_000)
        let actions = drain(&m)
        guard actions.count == 1, case .cookie(let to, let bytes) = actions[0], case .cookie(_, let token, _)? = try? Message.decode(bytes[...]) else {
            return XCTFail("expected one COOKIE, got \(actions)")
        }
        XCTAssertEqual(to, peer)
        XCTAssertEqual(token, m.linkToken(for: peer, holder: peerID))
        XCTAssertEqual(m.links[peer]?.up, false)
    }

    func testAHelloWithTheRightTokenBringsTheLinkUpOnce() {
        var m = mesh()
        let none = StreamTable()
        m.handle(hello(m, sendTime: 10), from: peer, peerSession: false, streams: none, blocks: BlockList(origin: 1), now: 1_000)
        guard case .heard(let a, true, let id) = drain(&m).first else { return XCTFail("the link comes up") }
        XCTAssertEqual(a, peer)
        XCTAssertEqual(id, peerID)
        m.handle(hello(m, sendTime: 20), from: peer, peerSession: true, streams: none, blocks: BlockList(origin: 1), now: 2_000)
        guard case .heard(_, false, _) = drain(&m).first else { return XCTFail("heard again, not up again") }
        // The same PEER_HELLO again (replayed or duplicated) is refused: the peer's clock only moves forward.
        m.handle(hello(m, sendTime: 20), from: peer, peerSession: true, streams: none, blocks: BlockList(origin: 1), now: 3_000)
        guard case .refused(.stalePeerHello, 1) = drain(&m).first else { return XCTFail("a repeated PEER_HELLO is refused") }
    }

    func testAPeerThatRestartedTakesTheLinkDownAndUpAgain() {
        var m = linked()
        m.handle(hello(m, sendTime: 5, brokerID: peerID + 1), from: peer, peerSession: true, streams: StreamTable(), blocks: BlockList(origin: 1), now: 2_000)
        let actions = drain(&m)
        guard actions.count == 2, case .down(peer, wasUp: true) = actions[0], case .heard(peer, cameUp: true, peerID + 1) = actions[1] else {
            return XCTFail("down, then up under the new run: \(actions)")
        }
        // The old run's PEER_HELLO, replayed, changes nothing: not even a COOKIE.
        m.handle(hello(m, sendTime: 99, brokerID: peerID), from: peer, peerSession: true, streams: StreamTable(), blocks: BlockList(origin: 1), now: 3_000)
        guard case .refused(.stalePeerHello, 1) = drain(&m).first else { return XCTFail("the retired run is refused") }
    }

    func testAnnouncementPagesAreAppliedOnceEveryPageIsHere() {
        var m = linked()
        let token = m.linkToken(for: peer, holder: peerID)
        let entry = PeerAnnounceEntry(stream: stream, kind: .video, rateMilli: 25_000, claim: 1, nonce: 7, origin: ClusterKey.originTag(brokerID: peerID))
        func page(_ n: UInt8) -> Message {
            .peerAnnounce(PeerAnnounce(token: token, brokerID: peerID, version: 3, page: n, pages: 2, entries: n == 0 ? [entry] : []))
        }
        m.handle(page(1), from: peer, peerSession: true, streams: StreamTable(), blocks: BlockList(origin: 1), now: 2_000)
        XCTAssertFalse(drain(&m).contains { if case .announced = $0 { true } else { false } }, "one page of two applies nothing")
        m.handle(page(0), from: peer, peerSession: true, streams: StreamTable(), blocks: BlockList(origin: 1), now: 2_100)
        let actions = drain(&m)
        guard case .announced(let entries, peer) = actions.first else { return XCTFail("applied: \(actions)") }
        XCTAssertEqual(entries, [entry])
        guard case .send(peer, _) = actions.last else { return XCTFail("acknowledged at once with a PEER_HELLO") }
        XCTAssertEqual(m.links[peer]?.theirAnnounce, 3)
        // The same version again is a resend: nothing applied twice.
        m.handle(page(0), from: peer, peerSession: true, streams: StreamTable(), blocks: BlockList(origin: 1), now: 2_200)
        XCTAssertFalse(drain(&m).contains { if case .announced = $0 { true } else { false } })
    }

    func testAPageFromAPeerWithoutALinkIsRefused() {
        var m = mesh()
        let p = PeerInterest(token: 1, brokerID: peerID, version: 1, page: 0, pages: 1, entries: [stream])
        m.handle(.peerInterest(p), from: peer, peerSession: false, streams: StreamTable(), blocks: BlockList(origin: 1), now: 2_000)
        guard case .refused(.peerNotLinked, 1) = drain(&m).first else { return XCTFail("refused as not linked") }
    }

    func testSilenceTakesTheLinkDownAfterTheTimeout() {
        var m = linked()
        let timeout = m.config.linkTimeout
        m.tick(streams: StreamTable(), blocks: BlockList(origin: 1), now: 1_000 + timeout)
        XCTAssertFalse(drain(&m).contains { if case .down = $0 { true } else { false } }, "not yet")
        m.tick(streams: StreamTable(), blocks: BlockList(origin: 1), now: 1_001 + timeout)
        XCTAssertTrue(drain(&m).contains { if case .down(peer, wasUp: true) = $0 { true } else { false } })
        XCTAssertEqual(m.links[peer]?.up, false)
    }

    /// An edge greets its upstream every tree heartbeat (so it finds a silent one inside the latency budget); a
    /// broker with mesh links only keeps the peer heartbeat.
    func testTreeLinksAreGreetedEveryTreeHeartbeatAndMeshLinksEveryPeerHeartbeat() {
        let config = ClusterConfig(secret: Array("a cluster secret of the tests".utf8))
        XCTAssertLessThan(config.upstreamTimeout, Timers().latencyBudget)
        var edge = PeerMesh(config: config, brokerID: 0x5EED_0000_0000_0A0A)
        edge.setUpstreams([peer], now: 0)
        var hellos: [Int64] = []
        var now: Int64 = 0
        while now <= 200_000 {
            if now >= edge.nextTick {
                edge.tick(streams: StreamTable(), blocks: BlockList(origin: 1), now: now)
                if drain(&edge).contains(where: { if case .send(peer, _) = $0 { true } else { false } }) { hellos.append(now) }
            }
            now += 1_000
        }
        XCTAssertEqual(hellos, [0, 50_000, 100_000, 150_000, 200_000])
        var m = mesh()
        m.tick(streams: StreamTable(), blocks: BlockList(origin: 1), now: 0)
        XCTAssertEqual(m.nextTick, config.peerHeartbeat)
    }

    func testAChangedInterestIsFlushedOncePerTurnAndDueAtOnce() {
        var m = linked()
        m.tick(streams: StreamTable(), blocks: BlockList(origin: 1), now: 1_000)  // the heartbeat is scheduled, not due
        _ = drain(&m)
        XCTAssertNotEqual(m.nextTimeout, 0)
        m.interestDirty = true
        XCTAssertEqual(m.nextTimeout, 0, "a change goes out on the next turn")
        m.flush(streams: StreamTable(), now: 2_000)
        XCTAssertFalse(m.interestDirty)
        XCTAssertNotEqual(m.nextTimeout, 0)
    }
}
