import Wire
import XCTest

@testable import Recording

final class RetentionPlanTests: XCTestCase {
    let p = ProducerID(hex: "1AAA99")!
    func file(_ hour: UInt64, _ bytes: Int64) -> RecordingEntry {
        RecordingEntry(producer: p, file: RecordingName.fileName(startMicros: hour * 3_600_000_000), startMicros: hour * 3_600_000_000, bytes: bytes)
    }

    func testKeepHoursRemovesOlderFilesOnly() {
        let files = [file(1, 10), file(5, 10), file(9, 10)]
        let out = RetentionPlan.expired(files, nowMicros: 10 * 3_600_000_000, keepMicros: 6 * 3_600_000_000, maxBytes: nil, open: [])
        XCTAssertEqual(out, [files[0]])
    }

    func testMaxBytesRemovesOldestFirstUntilTheRestFits() {
        let files = [file(3, 40), file(1, 50), file(2, 30)]
        let out = RetentionPlan.expired(files, nowMicros: 0, keepMicros: nil, maxBytes: 50, open: [])
        XCTAssertEqual(out, [files[1], files[2]], "hour 1 then hour 2; hour 3's 40 bytes fit")
    }

    func testAnOpenFileIsNeverRemoved() {
        let files = [file(1, 100), file(2, 10)]
        let out = RetentionPlan.expired(files, nowMicros: 0, keepMicros: nil, maxBytes: 50, open: [files[0].path])
        XCTAssertEqual(out, [files[1]])
        XCTAssertEqual(RetentionPlan.expired(files, nowMicros: 0, keepMicros: nil, maxBytes: nil, open: []), [], "no limits, nothing removed")
    }
}
