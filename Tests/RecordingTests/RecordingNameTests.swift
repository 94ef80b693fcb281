import Wire
import XCTest

@testable import Recording

final class RecordingNameTests: XCTestCase {
    func testFileNameIsTheUTCStart() {
        // 2026-12-07T03:58:00Z = 1796615880 s.
        XCTAssertEqual(RecordingName.fileName(startMicros: 1_796_615_880_123_456), "20261207T035800Z.mkv")
        XCTAssertEqual(RecordingName.fileName(startMicros: 1_796_615_880_000_000, attempt: 2), "20261207T035800Z-2.mkv")
        XCTAssertEqual(RecordingName.fileName(startMicros: 0), "19700101T000000Z.mkv")
        XCTAssertEqual(RecordingName.fileName(startMicros: 951_782_400_000_000), "20000229T000000Z.mkv", "a leap day")
    }

    func testNamesParseBackToTheirStart() {
        for micros: UInt64 in [0, 951_782_400_000_000, 1_796_615_880_000_000, 4_102_444_799_000_000] {
            XCTAssertEqual(RecordingName.startMicros(ofFile: RecordingName.fileName(startMicros: micros)), micros)
            XCTAssertEqual(RecordingName.startMicros(ofFile: RecordingName.fileName(startMicros: micros, attempt: 7)), micros)
        }
    }

    func testOnlyTheRecordersNamesAreAccepted() {
        for bad in [
            "../20261207T035800Z.mkv", "20261207T035800Z.mkv.part", "20261207T035800Z", "2026120XT035800Z.mkv", "20261307T035800Z.mkv",
            "20261207T035800Z-.mkv", "20261207T035800Z-1/../x.mkv", "20261207T035800Z-a.mkv", "/etc/passwd", "", "..",
        ] {
            XCTAssertNil(RecordingName.startMicros(ofFile: bad), bad)
        }
    }

    func testValidatedPathRefusesTraversal() {
        XCTAssertEqual(RecordingName.validatedPath(producer: "1AAA99", file: "20261207T035800Z.mkv"), "1AAA99/20261207T035800Z.mkv")
        XCTAssertNil(RecordingName.validatedPath(producer: "..", file: "20261207T035800Z.mkv"))
        XCTAssertNil(RecordingName.validatedPath(producer: "1aaa99", file: "20261207T035800Z.mkv"), "the recorder writes upper case")
        XCTAssertNil(RecordingName.validatedPath(producer: "/1AAA9", file: "20261207T035800Z.mkv"))
        XCTAssertNil(RecordingName.validatedPath(producer: "1AAA99", file: "../../etc/passwd"))
    }
}
