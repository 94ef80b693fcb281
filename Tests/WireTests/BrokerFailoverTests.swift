import SimulationSupport
import XCTest

@testable import Wire

final class BrokerFailoverTests: XCTestCase {
    let all = (0..<3).map { address(5000 + UInt16($0)) }
    let timers = Timers()

    func link() -> BrokerLink { BrokerLink(role: .client, producer: nil, streams: [], timers: timers, seed: 1) }

    /// A link connected at `now` (500 ms heartbeats, a lease of six).
    func connected(now: Int64 = 0) -> BrokerLink {
        var l = link()
        guard case .hello(let h)? = decoded(l.connect(now: now)) else {
            XCTFail("no HELLO")
            return l
        }
        _ = l.handle(.welcome(Welcome(nonce: h.nonce, epoch: 7, heartbeatMillis: 500, leaseMisses: 6)), now: now)
        return l
    }

    func testOneBrokerOrNoneNeverMoves() {
        for brokers in [[], [all[0]]] {
            var f = BrokerFailover(brokers: brokers, seed: 1)
            var l = connected()
            XCTAssertFalse(f.isEnabled)
            XCTAssertEqual(f.broker, brokers.first)
            XCTAssertNil(f.move(&l, now: 1_000))
            XCTAssertNil(f.sessionDown(.lost, &l, now: 2_000), "the link reconnects to its one broker")
            XCTAssertEqual(f.connectingSince, 2_000)
            XCTAssertNil(f.unreachable(&l, now: 3_000))
            XCTAssertEqual(f.refusals, 1, "counted even with nowhere to go")
            XCTAssertTrue(l.isConnected, "the link was left alone")
            XCTAssertEqual(f.helloDeadline(link()), .max)
        }
    }

    func testAMoveGoesToTheNextBrokerAndEndsWithItsWelcome() {
        var f = BrokerFailover(brokers: all, seed: 1, first: 1)
        var l = connected()
        let move = f.move(&l, now: 1_000)
        XCTAssertEqual(move?.from, all[1])
        XCTAssertEqual(move?.to, all[2])
        XCTAssertEqual(move?.send.count, 1, "a HELLO for the new broker")
        XCTAssertEqual(f.broker, all[2])
        XCTAssertEqual(f.brokers?.moves, 1)
        XCTAssertEqual(f.connectingSince, 1_000)
        XCTAssertEqual(l.state.phase, .moving)
        guard let hello = move?.send.first, case .hello(let h)? = decoded(hello) else { return XCTFail("no HELLO") }
        let welcome = Welcome(nonce: h.nonce, epoch: 9, heartbeatMillis: 500, leaseMisses: 6)
        XCTAssertEqual(l.handle(.welcome(welcome), now: 2_000).event, .connected(epoch: 9, fresh: true), "the next WELCOME ends the move")
        XCTAssertEqual(l.state.phase, .connected)
        XCTAssertEqual(f.helloDeadline(l), .max)
    }

    /// Each broker that does not answer is left for the next, round robin: the link stays moving all along.
    func testSilentBrokersAreLeftInTurn() {
        var f = BrokerFailover(brokers: all, seed: 1, first: 0)
        var l = link()
        f.connecting(now: 0)
        _ = l.connect(now: 0)
        var visited: [PeerAddress] = []
        var now: Int64 = 0
        for _ in 0..<4 {
            now = f.helloDeadline(l)
            guard let move = f.helloDue(&l, now: now) else { return XCTFail("no move at \(now)") }
            visited.append(move.to)
            XCTAssertEqual(l.state.phase, .moving)
        }
        XCTAssertEqual(visited, [all[1], all[2], all[0], all[1]])
        XCTAssertEqual(f.brokers?.moves, 4)
        XCTAssertEqual(now, 4 * timers.failoverHelloTimeout)
    }

    func testICMPMovesAtOnce() {
        var f = BrokerFailover(brokers: all, seed: 1, first: 0)
        var l = connected()
        XCTAssertEqual(f.unreachable(&l, now: 5_000)?.to, all[1])
        XCTAssertEqual(f.refusals, 1)
    }

    /// `.lost` comes from the link's poll with the HELLO of its new attempt: that one goes to the new broker, so
    /// the move adds none. A broker that leaves hurries the move: a HELLO at once, whatever went before.
    func testLosingOrBeingLeftMovesWithOneHello() {
        var f = BrokerFailover(brokers: all, seed: 1, first: 0)
        var l = connected()
        let leaseEnd: Int64 = 3_000_001
        let (hello, event) = l.poll(now: leaseEnd)
        XCTAssertEqual(event, .lost)
        XCTAssertEqual(hello.count, 1)
        XCTAssertEqual(f.sessionDown(.lost, &l, now: leaseEnd)?.send.count, 0)
        var g = BrokerFailover(brokers: all, seed: 1, first: 0)
        var m = connected()
        XCTAssertEqual(m.handle(.bye(token: 0, reason: .shutdown), now: 1_000).event, .brokerLeaving)
        XCTAssertEqual(g.sessionDown(.brokerLeaving, &m, now: 1_000)?.send.count, 1)
        XCTAssertEqual(g.broker, all[1])
    }

    func testABrokerThatDoesNotWelcomeIsLeftAfterTheHelloTimeout() {
        var f = BrokerFailover(brokers: all, seed: 1, first: 0)
        var l = link()
        f.connecting(now: 0)
        _ = l.connect(now: 0)
        XCTAssertEqual(f.helloDeadline(l), timers.failoverHelloTimeout)
        XCTAssertNil(f.helloDue(&l, now: timers.failoverHelloTimeout - 1))
        XCTAssertEqual(f.helloDue(&l, now: timers.failoverHelloTimeout)?.to, all[1])
        XCTAssertEqual(f.helloDeadline(l), 2 * timers.failoverHelloTimeout, "the next broker gets as long")
        XCTAssertEqual(f.helloDeadline(connected()), .max, "none while a session is up")
    }

    /// This process's stall is not the new broker's silence: the hello timeout moves on by it.
    func testAStallMovesTheHelloTimeoutOn() {
        var f = BrokerFailover(brokers: all, seed: 1, first: 0)
        var l = link()
        f.connecting(now: 0)
        _ = l.connect(now: 0)
        XCTAssertEqual(f.forgiveStall(&l, now: 0, due: 0), 0, "the first turn")
        XCTAssertEqual(f.forgiveStall(&l, now: 800_000, due: 50_000), 750_000)
        XCTAssertEqual(f.stallWatch.stalls, 1)
        XCTAssertEqual(f.connectingSince, 750_000)
        XCTAssertNil(f.helloDue(&l, now: timers.failoverHelloTimeout))
    }
}
