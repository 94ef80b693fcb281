import ClientCore
import Wire
import XCTest

final class SubscriptionClaimsTests: XCTestCase {
    let s = StreamID(rawValue: 0x1AAA_9901)

    func testTheFirstClaimSubscribesAndReadersShareIt() {
        var c = SubscriptionClaims(grace: 1000)
        XCTAssertEqual(c.claim(s, by: .reader(1)), .subscribe(s))
        XCTAssertNil(c.claim(s, by: .reader(2)))
        XCTAssertNil(c.claim(s, by: .tab(1)))
        XCTAssertNil(c.release(s, by: .reader(1), now: 0))
        XCTAssertNil(c.release(s, by: .tab(1), now: 0))
        XCTAssertEqual(c.claimants(of: s), [.reader(2)])
    }

    func testTheLastReaderLeavingUnsubscribesAfterTheGrace() {
        var c = SubscriptionClaims(grace: 1000)
        _ = c.claim(s, by: .reader(1))
        XCTAssertNil(c.release(s, by: .reader(1), now: 5000))
        XCTAssertEqual(c.nextDeadline, 6000)
        XCTAssertEqual(c.due(now: 5999), [])
        XCTAssertEqual(c.due(now: 6000), [.unsubscribe(s)])
        XCTAssertEqual(c.nextDeadline, .max)
        XCTAssertEqual(c.held, [])
    }

    func testAPlayerThatReconnectsWithinTheGraceDoesNotRejoin() {
        var c = SubscriptionClaims(grace: 1000)
        _ = c.claim(s, by: .reader(1))
        _ = c.release(s, by: .reader(1), now: 0)
        XCTAssertNil(c.claim(s, by: .reader(2)), "still subscribed: nothing to ask")
        XCTAssertEqual(c.due(now: 5000), [])
    }

    func testThePromptsSubscriptionOutlivesTabsAndItsReleaseIsImmediate() {
        var c = SubscriptionClaims(grace: 1000)
        XCTAssertEqual(c.claim(s, by: .tab(3)), .subscribe(s))
        XCTAssertNil(c.claim(s, by: .prompt))
        XCTAssertEqual(c.releaseAll(by: .tab(3), now: 0), [])
        XCTAssertEqual(c.due(now: 10_000), [])
        XCTAssertEqual(c.release(s, by: .prompt, now: 10_000), .unsubscribe(s))
    }

    func testAnExplicitReleaseByATabDoesNotWaitForTheGrace() {
        var c = SubscriptionClaims(grace: 1000)
        _ = c.claim(s, by: .tab(1))
        XCTAssertEqual(c.release(s, by: .tab(1), now: 0, immediately: true), .unsubscribe(s))
        XCTAssertEqual(c.due(now: 5000), [])
    }

    func testReleasingWhatWasNeverClaimedDoesNothing() {
        var c = SubscriptionClaims(grace: 1000)
        XCTAssertNil(c.release(s, by: .prompt, now: 0))
        _ = c.claim(s, by: .tab(1))
        XCTAssertNil(c.release(s, by: .tab(2), now: 0))
        XCTAssertEqual(c.claimants(of: s), [.tab(1)])
    }

    func testATabThatClosesGivesUpEveryClaimOfIts() {
        var c = SubscriptionClaims(grace: 10)
        let a = StreamID(rawValue: 0x2BBB_7700)
        _ = c.claim(s, by: .tab(1))
        _ = c.claim(a, by: .tab(1))
        _ = c.claim(a, by: .tab(2))
        XCTAssertEqual(c.releaseAll(by: .tab(1), now: 0), [])
        XCTAssertEqual(c.due(now: 10), [.unsubscribe(s)])
        XCTAssertEqual(c.claimants(of: a), [.tab(2)])
    }
}
