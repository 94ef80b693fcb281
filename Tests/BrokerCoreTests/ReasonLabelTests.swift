import SimulationSupport
import Wire
import XCTest

@testable import BrokerCore

/// The reasons' labels are public names (dashboards and alerts key on them): each is unique, and the set is the
/// one /metrics printed when the reasons were strings.
final class ReasonLabelTests: XCTestCase {
    /// The refusal labels of `broker_drops_total` as they were before the reasons were typed, and those added since.
    let refusalLabels: Set = [
        "bad_peer_tag", "unexpected_type", "bad_token", "no_session", "unknown_stream", "not_owner", "loop", "bad_origin",
        "peer_not_linked", "peer_blocks_cap", "blocked", "peer_announce_cap", "peer_interest_cap", "stale_peer_hello",
        "peer_limit", "stale_challenge", "bad_stream_key",
        // Added with edges (docs/PROTOCOL.md §12 "Edges"): new reasons, new labels; the ones above are unchanged.
        "link_role", "tree_loop", "tree_too_deep", "edge_limit",
    ]
    let malformedLabels: Set = ["truncated", "bad_magic", "bad_version", "unknown_type", "bad_length", "bad_field", "limit"]

    func testEveryLabelIsUniqueAndTheSetIsUnchanged() {
        let refusals = RefusalReason.allCases.map(\.label)
        XCTAssertEqual(Set(refusals).count, refusals.count, "a refusal label used twice: \(refusals)")
        XCTAssertEqual(Set(refusals), refusalLabels)
        let malformed = MalformedReason.allCases.map(\.label)
        XCTAssertEqual(Set(malformed).count, malformed.count, "a malformed label used twice: \(malformed)")
        XCTAssertEqual(Set(malformed), malformedLabels)
        XCTAssertTrue(Set(malformed.map { "malformed_" + $0 }).isDisjoint(with: refusals))
        let ends: [SessionEndReason] = [
            .ended, .goodbye, .leaseExpired, .disconnectedByOperator, .blockedByOperator, .replacedByAnotherRole,
            .replacedByNewerSession(from: address(1)),
        ]
        XCTAssertEqual(Set(ends.map(\.label)).count, ends.count)
    }

    /// `ReasonCounts` keeps a slot per raw value: the raw values must be 0..<count.
    func testRawValuesAreArraySlots() {
        XCTAssertEqual(RefusalReason.allCases.map(\.rawValue), Array(0..<RefusalReason.allCases.count))
        XCTAssertEqual(MalformedReason.allCases.map(\.rawValue), Array(0..<MalformedReason.allCases.count))
    }

    /// What /metrics prints for refusals and malformed datagrams: only the reasons counted, malformed ones first,
    /// each group in label order, as the dictionaries keyed by label printed them.
    func testDropSeriesAreTheLabelsPrintedBefore() {
        var counters = BrokerCounters()
        XCTAssertTrue(counters.refusalDrops.isEmpty, "a series appears only after its first occurrence")
        for r in RefusalReason.allCases { counters.refused[r] += r.rawValue + 1 }
        for m in MalformedReason.allCases { counters.malformed[m] += 1 }
        let labels = counters.refusalDrops.map { $0.label }
        XCTAssertEqual(labels, malformedLabels.sorted().map { "malformed_" + $0 } + refusalLabels.sorted())
        XCTAssertEqual(counters.refusalDrops.first { $0.label == "not_owner" }?.count, RefusalReason.notOwner.rawValue + 1)
    }

    /// Datagrams through a real core land on the labels they landed on before.
    func testACoreCountsBadDatagramsUnderTheirOldLabels() {
        var h = BrokerHarness()
        let peer = address(4321)
        XCTAssertTrue(h.receive(.cookie(nonce: 1, token: 2), from: peer).isEmpty)
        XCTAssertTrue(h.receive([0x56, 0x42, 9, 1], from: peer).isEmpty)
        XCTAssertTrue(h.receive([0x56], from: peer).isEmpty)
        XCTAssertFalse(h.receive(.heartbeat(token: 7, sendTime: 1, rttMicros: 0), from: peer).isEmpty, "answered with a COOKIE")
        let drops = h.broker.counters.refusalDrops
        XCTAssertEqual(drops.map { $0.label }, ["malformed_bad_version", "malformed_truncated", "no_session", "unexpected_type"])
        XCTAssertEqual(drops.map { $0.count }, [1, 1, 1, 1])
    }

    func testSessionEndsReadAsBefore() {
        XCTAssertEqual(SessionEndReason.ended.description, "session ended")
        XCTAssertEqual(SessionEndReason.goodbye.description, "producer said goodbye")
        XCTAssertEqual(SessionEndReason.leaseExpired.description, "lease expired")
        XCTAssertEqual(SessionEndReason.disconnectedByOperator.description, "disconnected by the operator")
        XCTAssertEqual(SessionEndReason.blockedByOperator.description, "blocked by the operator")
        XCTAssertEqual(SessionEndReason.replacedByAnotherRole.description, "replaced by a session of another role or id")
        XCTAssertEqual(
            SessionEndReason.replacedByNewerSession(from: address(9)).description, "replaced by a newer session from \(address(9))")
        XCTAssertEqual(StreamOfflineReason.producerOffline.description, "producer offline")
        XCTAssertEqual(StreamOfflineReason.noLongerAnnounced.description, "no longer announced by its producer")
        XCTAssertEqual(StreamOfflineReason.sessionEnded(.leaseExpired).description, "lease expired")
    }
}
