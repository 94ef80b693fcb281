import Wire
import XCTest

@testable import Recording

final class RecordingListingTests: XCTestCase {
    func testJSONOfAFinishedAndAnOpenFile() {
        let p = ProducerID(hex: "1AAA99")!
        let start: UInt64 = 1_796_615_880_000_000
        let done = RecordingEntry(producer: p, file: "20261207T035800Z.mkv", startMicros: start, bytes: 1000, durationMillis: 600_000.4)
        let open = RecordingEntry(producer: p, file: "20261207T040800Z.mkv", startMicros: start + 600_000_000, bytes: 20)
        XCTAssertEqual(
            RecordingListing.json([done, open], open: [open.path]),
            "{\"recordings\":["
                + "{\"producer\":\"1AAA99\",\"file\":\"20261207T035800Z.mkv\",\"path\":\"1AAA99/20261207T035800Z.mkv\",\"start\":\"2026-12-07T03:58:00Z\","
                + "\"startMicros\":1796615880000000,\"bytes\":1000,\"durationMs\":600000,\"recording\":false},"
                + "{\"producer\":\"1AAA99\",\"file\":\"20261207T040800Z.mkv\",\"path\":\"1AAA99/20261207T040800Z.mkv\",\"start\":\"2026-12-07T04:08:00Z\","
                + "\"startMicros\":1796616480000000,\"bytes\":20,\"durationMs\":null,\"recording\":true}]}")
        XCTAssertEqual(RecordingListing.json([]), "{\"recordings\":[]}")
        XCTAssertEqual(RecordingListing.quote("a\"b\\c\n"), "\"a\\\"b\\\\c\\u000a\"")
    }
}
