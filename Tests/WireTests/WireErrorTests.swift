import Wire
import XCTest

/// A `WireError` reads as it did when its fields were strings: logs and test messages keep their words.
final class WireErrorTests: XCTestCase {
    func testDescriptionsNameFieldsLimitsAndTypesAsTheSpecificationDoes() {
        XCTAssertEqual(WireError.truncated(field: .magic).description, "truncated datagram (field magic)")
        XCTAssertEqual(WireError.badField(field: .streamID, value: 5).description, "bad value 5 in field stream_id")
        XCTAssertEqual(WireError.badField(field: .heartbeatMs, value: 0).description, "bad value 0 in field heartbeat_ms")
        XCTAssertEqual(WireError.badLength(type: .peerBlocks, length: 3).description, "bad length 3 for PEER_BLOCKS")
        XCTAssertEqual(WireError.limitExceeded(limit: .maxDatagram, value: 1401).description, "limit maxDatagram exceeded (1401)")
    }

    func testEachErrorHasItsStableReason() {
        let cases: [(WireError, String)] = [
            (.truncated(field: .type), "truncated"), (.badMagic(0x1234), "bad_magic"), (.unsupportedVersion(9), "bad_version"),
            (.unknownType(99), "unknown_type"), (.badLength(type: .bye, length: 4), "bad_length"),
            (.badField(field: .role, value: 3), "bad_field"), (.limitExceeded(limit: .maxNackRanges, value: 0), "limit"),
        ]
        for (error, label) in cases { XCTAssertEqual(error.reason.label, label, "\(error)") }
    }
}
