import Matroska
import XCTest

final class MatroskaDurationReaderTests: XCTestCase {
    func testReadsTheDurationOfAFinishedFileOnly() throws {
        let track = MatroskaTrack(number: 1, media: .mjpeg(JPEGDimensions(width: 2, height: 2)))
        var w = MatroskaSegmentWriter(tracks: [track], startMicros: 1_000_000, app: "t")
        var file = w.header
        for i in 0..<5 {
            for write in try w.append(track: 1, frame: [UInt8(i)], captureMicros: 1_000_000 + UInt64(i) * 500_000) {
                if case .append(let b) = write { file += b }
            }
        }
        XCTAssertNil(MatroskaDurationReader.durationMillis(file), "not finished: no duration yet")
        for write in w.finish() {
            switch write {
            case .append(let b): file += b
            case .patch(let o, let b): file.replaceSubrange(o..<o + b.count, with: b)
            }
        }
        XCTAssertEqual(MatroskaDurationReader.durationMillis(Array(file.prefix(MatroskaDurationReader.headerBytes))), 2500)
        XCTAssertNil(MatroskaDurationReader.durationMillis(Array(file.prefix(30))), "cut short")
        XCTAssertNil(MatroskaDurationReader.durationMillis([0x1A, 0x45, 0xDF, 0xA3, 0x01]))
        XCTAssertNil(MatroskaDurationReader.durationMillis([]))
    }
}
