import SimulationSupport
import XCTest

@testable import Wire

/// The transitions of `BrokerLink.State` (the table in `BrokerLink+Transitions.swift`): each legal event takes the link
/// to the state the table names, with the clocks that state runs; an event a state does not take changes nothing.
final class BrokerLinkStateTests: XCTestCase {
    let timers = Timers()
    typealias Attempt = BrokerLink.Attempt
    typealias Liveness = BrokerLink.Liveness
    typealias Suspicion = BrokerLink.Suspicion

    func nonce(_ bytes: [UInt8]?) -> UInt64? {
        guard let bytes, case .hello(let h)? = decoded(bytes) else { return nil }
        return h.nonce
    }

    func welcome(_ nonce: UInt64, epoch: UInt64 = 7) -> Message {
        .welcome(Welcome(nonce: nonce, epoch: epoch, heartbeatMillis: 500, leaseMisses: 6))
    }

    /// A client link connected at `now` (epoch 7, 500 ms heartbeats, a lease of six).
    func connected(now: Int64 = 0) -> BrokerLink {
        var link = BrokerLink(role: .client, producer: nil, streams: [], timers: timers, seed: 1)
        let n = nonce(link.connect(now: now))
        XCTAssertEqual(link.handle(welcome(n ?? 0), now: now).event, .connected(epoch: 7, fresh: true))
        return link
    }

    func liveness(heardAt t: Int64, firstProbeAt: Int64? = nil) -> Liveness {
        Liveness(lastHeard: t, nextHeartbeat: t + 500_000, heartbeatRetryAt: nil, heartbeatRetryDelay: timers.requestRetry, firstProbeAt: firstProbeAt)
    }

    /// A link suspecting its broker since 100 ms (connected at 0).
    func suspecting() -> BrokerLink {
        var link = connected()
        XCTAssertEqual(link.suspect(now: 100_000).count, 1, "the suspicion's first probe")
        return link
    }

    /// A link stopped by its operator's disconnect at 1 ms.
    func stopped() -> BrokerLink {
        var link = connected()
        XCTAssertEqual(link.handle(.bye(token: link.token, reason: .disconnected), now: 1_000).event, .disconnected)
        return link
    }

    // MARK: Legal events

    func testConnectStartsAFreshAttempt() {
        var link = BrokerLink(role: .client, producer: nil, streams: [], timers: timers, seed: 1)
        XCTAssertEqual(link.state, .connecting(Attempt(nextHello: 0, fresh: true)), "a new link's first HELLO is due at once")
        XCTAssertNotNil(nonce(link.connect(now: 1_000)))
        XCTAssertEqual(link.state, .connecting(Attempt(nextHello: 1_000 + timers.requestRetry, fresh: true)))
    }

    func testAWelcomeConnectsWithFreshLivenessClocks() {
        let link = connected(now: 2_000)
        XCTAssertEqual(link.state, .connected(liveness(heardAt: 2_000)))
        XCTAssertEqual(link.deadline, 502_000, "the first heartbeat")
    }

    func testSuspectingAndBeingHeardAgain() {
        var link = suspecting()
        XCTAssertEqual(
            link.state, .suspecting(liveness(heardAt: 0), Suspicion(probeAt: 100_000 + timers.suspectRepeat, deadline: 100_000 + timers.suspectTimeout)))
        XCTAssertTrue(link.isSuspecting)
        XCTAssertTrue(link.isConnected, "a suspected session is still up")
        link.heard(now: 120_000)
        XCTAssertEqual(link.state, .connected(liveness(heardAt: 120_000).with { $0.nextHeartbeat = 500_000 }))
        XCTAssertEqual(link.suspicionsCleared, 1)
    }

    /// The lease running out and a confirmed suspicion are one transition: a fresh attempt at once, and `.lost`.
    func testBothWaysOfLosingTheBrokerEndInTheSameState() {
        var suspected = suspecting()
        let confirmed = suspected.poll(now: 100_000 + timers.suspectTimeout)
        XCTAssertEqual(confirmed.event, .lost)
        XCTAssertEqual(suspected.suspicionsConfirmed, 1)
        var silent = connected()
        let leaseEnd: Int64 = 6 * 500_000 + 1
        XCTAssertEqual(silent.deadline, 500_000)
        XCTAssertEqual(silent.poll(now: leaseEnd).event, .lost)
        XCTAssertEqual(silent.suspicionsConfirmed, 0)
        XCTAssertEqual(suspected.state, .connecting(Attempt(nextHello: 180_000 + timers.requestRetry, fresh: true)))
        XCTAssertEqual(silent.state, .connecting(Attempt(nextHello: leaseEnd + timers.requestRetry, fresh: true)))
        XCTAssertNotNil(nonce(confirmed.send.first))
    }

    /// A broker that forgot us while suspected must still answer a probe in the session that follows.
    func testASuspicionGoesOnThroughAHandshakeWithTheSameBroker() {
        var link = suspecting()
        guard case .suspecting(_, let suspicion) = link.state else { return XCTFail("not suspecting") }
        let n = nonce(link.handle(.cookie(nonce: link.token, token: 0xBEEF), now: 105_000).send.first)
        XCTAssertEqual(link.state, .connecting(Attempt(nextHello: 105_000 + timers.requestRetry, fresh: true, suspicion: suspicion)))
        XCTAssertFalse(link.isSuspecting)
        XCTAssertEqual(link.handle(welcome(n ?? 0, epoch: 8), now: 110_000).event, .connected(epoch: 8, fresh: true))
        XCTAssertEqual(link.state, .suspecting(liveness(heardAt: 110_000), suspicion))
    }

    func testReconnectingOnASessionThatIsUpIsNotFresh() {
        var link = connected()
        let n = nonce(link.connect(now: 1_000))
        XCTAssertEqual(link.state, .connecting(Attempt(nextHello: 1_000 + timers.requestRetry, fresh: false)))
        XCTAssertEqual(link.handle(welcome(n ?? 0), now: 2_000).event, .connected(epoch: 7, fresh: false), "the same broker, the same epoch")
    }

    func testAByeLeavesForANewAttemptOrStops() {
        var leaving = connected()
        XCTAssertEqual(leaving.handle(.bye(token: 0, reason: .shutdown), now: 1_000).event, .brokerLeaving)
        XCTAssertEqual(leaving.state, .connecting(Attempt(nextHello: 1_000 + timers.requestRetry, fresh: true)))
        var link = stopped()
        XCTAssertEqual(link.state, .stopped)
        XCTAssertNotNil(nonce(link.connect(now: 5_000)), "the owner may connect again")
        XCTAssertEqual(link.state, .connecting(Attempt(nextHello: 5_000 + timers.requestRetry, fresh: true)))
    }

    func testAMoveIsANewFreshAttemptFromEveryState() {
        var up = suspecting()
        XCTAssertNotNil(nonce(up.move(now: 120_000)), "a session that was up sends the new broker a HELLO at once")
        XCTAssertEqual(up.state, .moving(Attempt(nextHello: 120_000 + timers.requestRetry, fresh: true)), "the suspicion stays behind")
        // Still connecting: the backoff goes on, and a HELLO that just went out is not doubled.
        var attempt = BrokerLink(role: .client, producer: nil, streams: [], timers: timers, seed: 1)
        _ = attempt.connect(now: 0)
        _ = attempt.poll(now: timers.requestRetry)
        XCTAssertNil(attempt.move(now: timers.requestRetry))
        XCTAssertEqual(attempt.state, .moving(Attempt(nextHello: 3 * timers.requestRetry, fresh: true)))
        var halted = stopped()
        XCTAssertNotNil(nonce(halted.move(now: 9_000)))
        XCTAssertEqual(halted.state, .moving(Attempt(nextHello: 9_000 + timers.requestRetry, fresh: true)))
        var hurried = BrokerLink(role: .client, producer: nil, streams: [], timers: timers, seed: 1)
        let first = nonce(hurried.connect(now: 0))
        let second = nonce(hurried.move(now: 1_000, hurry: true))
        XCTAssertNotEqual(first, second, "a hurried move is a new attempt: a new nonce, the backoff from the start")
        XCTAssertEqual(hurried.state, .moving(Attempt(nextHello: 1_000 + timers.requestRetry, fresh: true)))
    }

    /// While moving the link is an attempt like any other (the new broker's COOKIE, its refusal, the owner's
    /// connect), and the new broker's WELCOME ends the move with a fresh session.
    func testAMoveLastsUntilTheNewBrokerWelcomes() {
        var link = connected()
        let n = nonce(link.move(now: 1_000)) ?? 0
        XCTAssertTrue(link.isMoving)
        XCTAssertFalse(link.isConnected)
        XCTAssertEqual(link.deadline, 1_000 + timers.requestRetry, "the next HELLO")
        XCTAssertEqual(link.poll(now: 1_000 + timers.requestRetry).send.count, 1, "repeated with backoff")
        XCTAssertEqual(link.state, .moving(Attempt(nextHello: 1_000 + 3 * timers.requestRetry, fresh: true)))
        let refused = link.handle(.error(ErrorReply(requestID: 0, code: .limitReached, reason: "full")), now: 2_000)
        XCTAssertEqual(refused.event, .refused(.limitReached, reason: "full"), "the new broker's refusal is reported")
        XCTAssertTrue(link.isMoving)
        let again = nonce(link.handle(.cookie(nonce: n, token: 0xBEEF), now: 3_000).send.first)
        XCTAssertEqual(again, n, "the new broker's COOKIE is answered in the same attempt")
        XCTAssertTrue(link.isMoving)
        let restarted = nonce(link.connect(now: 4_000)) ?? 0
        XCTAssertEqual(link.state, .moving(Attempt(nextHello: 4_000 + timers.requestRetry, fresh: true)), "the owner's connect does not end a move")
        XCTAssertEqual(link.handle(welcome(restarted, epoch: 9), now: 5_000).event, .connected(epoch: 9, fresh: true))
        XCTAssertEqual(link.state, .connected(liveness(heardAt: 5_000)))
    }

    // MARK: The table

    /// Every phase against every input, fed as its owner or its broker would: the link ends in the phase the table
    /// names, or stays where it was when the table lists no such transition.
    func testTheLinkFollowsItsTransitionTable() {
        for phase in BrokerLink.Phase.allCases {
            for input in BrokerLink.Input.allCases {
                var (link, attemptNonce) = self.link(in: phase)
                XCTAssertEqual(link.state.phase, phase, "the fixture")
                apply(input, to: &link, nonce: attemptNonce, now: 200_000)
                let expected = BrokerLink.next(phase, on: input) ?? phase
                XCTAssertEqual(link.state.phase, expected, "\(phase) on \(input)")
            }
        }
    }

    /// The table's shape: a session ends only by losing, leaving, being forgotten, disconnected or moved; only a
    /// WELCOME starts one; every phase can be left for another broker, and the owner can always connect again.
    func testTheTableItself() {
        typealias Phase = BrokerLink.Phase
        for phase in Phase.allCases {
            XCTAssertEqual(BrokerLink.next(phase, on: .move), .moving, "\(phase) moves")
            XCTAssertNotNil(BrokerLink.next(phase, on: .connect), "\(phase) connects")
        }
        let sessionStarts = Phase.allCases.flatMap { from in
            BrokerLink.Input.allCases.compactMap { input -> BrokerLink.Input? in
                let to = BrokerLink.next(from, on: input)
                return from != .connected && from != .suspecting && to == .connected ? input : nil
            }
        }
        XCTAssertEqual(Set(sessionStarts), [.welcome])
        XCTAssertEqual(BrokerLink.next(.connected, on: .lost), BrokerLink.next(.suspecting, on: .lost), "one lost transition")
        XCTAssertNil(BrokerLink.next(.stopped, on: .welcome), "a stopped link takes no session")
        XCTAssertEqual(BrokerLink.transitions.count, Phase.allCases.count, "a row for every phase")
    }

    /// A link in `phase`, with the nonce of its attempt's HELLO (0: no attempt under way).
    func link(in phase: BrokerLink.Phase) -> (BrokerLink, UInt64) {
        switch phase {
        case .connecting:
            var link = BrokerLink(role: .client, producer: nil, streams: [], timers: timers, seed: 1)
            let n = nonce(link.connect(now: 0))
            return (link, n ?? 0)
        case .connected: return (connected(), 0)
        case .suspecting: return (suspecting(), 0)
        case .moving:
            var link = connected()
            let n = nonce(link.move(now: 1_000))
            return (link, n ?? 0)
        case .stopped: return (stopped(), 0)
        }
    }

    /// Feeds `input` to the link the way its owner or its broker does.
    func apply(_ input: BrokerLink.Input, to link: inout BrokerLink, nonce: UInt64, now: Int64) {
        switch input {
        case .connect: _ = link.connect(now: now)
        case .forgotten: _ = link.handle(.cookie(nonce: link.token, token: 0xBEEF), now: now)
        case .welcome: _ = link.handle(welcome(nonce, epoch: 7), now: now)
        case .heard: link.heard(now: now)
        case .leave: _ = link.handle(.bye(token: link.token, reason: .shutdown), now: now)
        case .disconnect: _ = link.handle(.bye(token: link.token, reason: .disconnected), now: now)
        case .suspect: _ = link.suspect(now: now)
        case .lost: _ = link.poll(now: now + 60_000_000)  // past any lease and any suspicion's deadline
        case .move: _ = link.move(now: now)
        }
    }

    func testAProbeMarksTheStartOfASilenceUntilAnswered() {
        var link = connected()
        XCTAssertNotNil(link.probe(now: 100_000))
        XCTAssertNotNil(link.probe(now: 150_000))
        XCTAssertEqual(link.state, .connected(liveness(heardAt: 0, firstProbeAt: 100_000)), "the silence started with the first")
        link.heard(now: 160_000)
        XCTAssertNotNil(link.probe(now: 200_000))
        XCTAssertEqual(link.state, .connected(liveness(heardAt: 160_000, firstProbeAt: 200_000).with { $0.nextHeartbeat = 500_000 }))
    }

    // MARK: Events a state does not take

    /// Applies `event` and checks that it sent nothing, reported nothing and left the state as it was.
    func assertIgnored(
        _ link: BrokerLink, _ name: String, file: StaticString = #filePath, line: UInt = #line,
        _ event: (inout BrokerLink) -> (send: [[UInt8]], event: LinkEvent?)
    ) {
        var l = link
        let (send, reported) = event(&l)
        XCTAssertTrue(send.isEmpty, "\(name): sent something", file: file, line: line)
        XCTAssertNil(reported, "\(name): reported \(String(describing: reported))", file: file, line: line)
        XCTAssertEqual(l.state, link.state, "\(name): changed the state", file: file, line: line)
    }

    func testConnectingTakesNoSessionEvents() {
        var link = BrokerLink(role: .client, producer: nil, streams: [], timers: timers, seed: 1)
        _ = link.connect(now: 0)
        assertIgnored(link, "HEARTBEAT_ACK") { $0.handle(.heartbeatAck(echoTime: 0, epoch: 7), now: 1_000) }
        assertIgnored(link, "BYE") { $0.handle(.bye(token: 0, reason: .shutdown), now: 1_000) }
        assertIgnored(link, "disconnect") { $0.handle(.bye(token: 0, reason: .disconnected), now: 1_000) }
        assertIgnored(link, "suspect") { ($0.suspect(now: 1_000), nil) }
        assertIgnored(link, "probe") { ($0.probe(now: 1_000).map { [$0] } ?? [], nil) }
        assertIgnored(link, "heard") {
            $0.heard(now: 1_000)
            $0.forgive(500_000, now: 1_000)
            return ([], nil)
        }
        assertIgnored(link, "poll before the HELLO is due") { $0.poll(now: timers.requestRetry - 1) }
    }

    func testASessionTakesNoSecondWelcomeAndNoRefusal() {
        let link = connected()
        assertIgnored(link, "WELCOME") { $0.handle(self.welcome(0, epoch: 9), now: 1_000) }
        assertIgnored(link, "ERROR") { $0.handle(.error(ErrorReply(requestID: 0, code: .limitReached, reason: "full")), now: 1_000) }
        assertIgnored(link, "a stranger's COOKIE") { $0.handle(.cookie(nonce: $0.token ^ 1, token: 5), now: 1_000) }
        assertIgnored(suspecting(), "a second suspicion") { ($0.suspect(now: 105_000), nil) }
        assertIgnored(suspecting(), "a probe while suspecting") { ($0.probe(now: 105_000).map { [$0] } ?? [], nil) }
    }

    /// A stopped link answers nothing: not even a COOKIE or WELCOME echoing the nonce 0 it holds between attempts.
    func testAStoppedLinkTakesNothingButConnectAndMove() {
        let link = stopped()
        XCTAssertEqual(link.deadline, .max)
        assertIgnored(link, "COOKIE") { $0.handle(.cookie(nonce: 0, token: 5), now: 2_000) }
        assertIgnored(link, "WELCOME") { $0.handle(self.welcome(0), now: 2_000) }
        assertIgnored(link, "HEARTBEAT_ACK") { $0.handle(.heartbeatAck(echoTime: 0, epoch: 7), now: 2_000) }
        assertIgnored(link, "ERROR") { $0.handle(.error(ErrorReply(requestID: 0, code: .limitReached, reason: "full")), now: 2_000) }
        assertIgnored(link, "BYE") { $0.handle(.bye(token: $0.token, reason: .shutdown), now: 2_000) }
        assertIgnored(link, "suspect") { ($0.suspect(now: 2_000), nil) }
        assertIgnored(link, "poll") { $0.poll(now: 60_000_000) }
        var l = link
        _ = l.handle(.cookie(nonce: 0, token: 5), now: 2_000)
        XCTAssertEqual(l.spoofedCookies, 1, "a COOKIE no HELLO of ours asked for")
    }
}

extension BrokerLink.Liveness {
    /// A copy with one change.
    func with(_ change: (inout Self) -> Void) -> Self {
        var copy = self
        change(&copy)
        return copy
    }
}
