import SimulationSupport
import Wire
import XCTest

@testable import BrokerCore

/// Subscription churn and lease expiry cost the same per change with 10 subscribers as with 10,000, counted in
/// steps (`ChurnWork`), and a mass expiry is spread over turns with media forwarded in between.
final class ChurnTests: XCTestCase {
    let producer = address(4001)

    /// The work one change costs, measured once the broker holds `audience` subscribers of the test producer.
    struct PerChange: Equatable {
        var connectAndSubscribe: ChurnWork
        var unsubscribe: ChurnWork
        var bye: ChurnWork
        var heartbeat: ChurnWork
    }

    func clientAddress(_ i: Int) -> PeerAddress { PeerAddress(ipv4: 0x0a00_0000 | UInt32(i), port: 7000) }

    func brokerWith(_ audience: Int) -> (BrokerHarness, [UInt64]) {
        var limits = Limits()
        limits.maxSubscribers = 20_000
        var h = BrokerHarness(limits: limits)
        h.connectProducer(producer)
        var tokens: [UInt64] = []
        for i in 0..<audience {
            let a = clientAddress(i)
            let t = h.connect(a, role: .client)
            _ = h.subscribe(a, token: t, allOfTestProducer)
            tokens.append(t)
        }
        h.events.removeAll()
        return (h, tokens)
    }

    func measure(_ audience: Int) -> PerChange {
        var (h, tokens) = brokerWith(audience)
        let newcomer = clientAddress(audience)
        var before = h.broker.churnWork
        let t = h.connect(newcomer, role: .client)
        _ = h.subscribe(newcomer, token: t, allOfTestProducer)
        let connect = h.broker.churnWork - before
        before = h.broker.churnWork
        _ = h.receive(.unsubscribe(SubscriptionRequest(token: t, requestID: 2, selector: allOfTestProducer)), from: newcomer)
        let unsubscribe = h.broker.churnWork - before
        before = h.broker.churnWork
        _ = h.receive(.bye(token: tokens[0], reason: .quit), from: clientAddress(0))
        let bye = h.broker.churnWork - before
        before = h.broker.churnWork
        _ = h.receive(.heartbeat(token: tokens[1], sendTime: 0, rttMicros: 0), from: clientAddress(1))
        let heartbeat = h.broker.churnWork - before
        XCTAssertEqual(h.broker.subscriberCount, audience)
        return PerChange(connectAndSubscribe: connect, unsubscribe: unsubscribe, bye: bye, heartbeat: heartbeat)
    }

    func testEachChangeCostsTheSameAtTenAndAtTenThousandSubscribers() {
        let small = measure(10)
        let large = measure(10_000)
        XCTAssertEqual(small, large)
        // One lease scheduled and two fan-out lists (video, audio) joined; left again; a heartbeat costs nothing.
        XCTAssertEqual(small.connectAndSubscribe, ChurnWork(leaseChecks: 0, leaseWheelOperations: 1, fanoutUpdates: 2))
        XCTAssertEqual(small.unsubscribe, ChurnWork(fanoutUpdates: 2))
        XCTAssertEqual(small.bye, ChurnWork(fanoutUpdates: 2))
        XCTAssertEqual(small.heartbeat, ChurnWork())
        print(
            "work per change (steps) at 10 and 10,000 subscribers: subscribe \(small.connectAndSubscribe.total), unsubscribe \(small.unsubscribe.total), bye \(small.bye.total), heartbeat \(small.heartbeat.total)"
        )
    }

    /// Every subscriber falls silent at once; the producer and one watcher keep their leases. Returns the work
    /// per expired lease and the sessions ended in each turn.
    func massExpiry(_ audience: Int) -> (perExpiry: Double, endedPerTurn: [Int]) {
        var (h, tokens) = brokerWith(audience)
        let watcher = clientAddress(audience)
        let watcherToken = h.connect(watcher, role: .client)
        _ = h.subscribe(watcher, token: watcherToken, videoStream)
        let producerToken = h.broker.cookie(for: producer)
        let before = h.broker.churnWork
        var sequence: UInt32 = 0
        var endedPerTurn: [Int] = []
        var frameNumber: UInt32 = 0
        // Five seconds in 100 ms steps; in every turn with expiries, a frame from the producer right after it
        // must be forwarded to the watcher at once.
        for _ in 0..<50 {
            h.now += 100_000
            _ = h.receive(.heartbeat(token: producerToken, sendTime: 0, rttMicros: 0), from: producer)
            _ = h.receive(.heartbeat(token: watcherToken, sendTime: 0, rttMicros: 0), from: watcher)
            while h.broker.pollTimeout() <= h.now {
                let expiredBefore = h.broker.counters.leasesExpired
                _ = h.advance(by: 0)
                let ended = h.broker.counters.leasesExpired - expiredBefore
                guard ended > 0 else { continue }
                endedPerTurn.append(ended)
                frameNumber += 1
                var out: [BrokerOutput] = []
                for d in frameDatagrams(frameNumber, firstSequence: sequence, size: 2000, key: testMediaKey()) {
                    out += h.receive(d, from: producer)
                    sequence += 1
                }
                XCTAssertEqual(out.media(to: watcher).count, 2, "a frame waited for the expiry to finish")
            }
        }
        XCTAssertEqual(h.broker.counters.leasesExpired, audience)
        XCTAssertEqual(h.broker.subscriberCount, 1)
        XCTAssertEqual(h.broker.streams[videoStream]?.subscribers.map(\.address), [watcher])
        _ = tokens
        let work = h.broker.churnWork - before
        // Each expired session: one lease check, its two fan-out entries. The watcher and the producer are
        // checked once per lease duration (renewed), whatever the audience.
        XCTAssertEqual(work.fanoutUpdates, 2 * audience)
        XCTAssertLessThanOrEqual(work.leaseChecks, audience + 2 * 2)
        return (Double(work.leaseChecks + work.fanoutUpdates) / Double(audience), endedPerTurn)
    }

    func testTenThousandLeasesExpireInBoundedTurnsAtTheSameWorkPerExpiryAsTen() {
        let small = massExpiry(10)
        let large = massExpiry(10_000)
        XCTAssertEqual(small.endedPerTurn, [10])
        XCTAssertEqual(large.endedPerTurn.reduce(0, +), 10_000)
        XCTAssertLessThanOrEqual(large.endedPerTurn.max() ?? 0, Limits().maxLeaseChecksPerTurn)
        XCTAssertGreaterThanOrEqual(large.endedPerTurn.count, 10_000 / Limits().maxLeaseChecksPerTurn)
        XCTAssertEqual(small.perExpiry, 3, accuracy: 0.4)
        XCTAssertEqual(large.perExpiry, 3, accuracy: 0.01)
        print(
            "work per expiry (lease checks + fan-out updates): \(small.perExpiry) at 10, \(large.perExpiry) at 10,000; turns for 10,000: \(large.endedPerTurn.count), at most \(large.endedPerTurn.max() ?? 0) per turn"
        )
    }
}
