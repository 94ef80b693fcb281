import XCTest

@testable import Matroska

final class MatroskaElementTests: XCTestCase {
    func testUnsignedIntegers() {
        XCTAssertEqual(MatroskaElement.ebmlVersion.uint(1), [0x42, 0x86, 0x81, 0x01])
        XCTAssertEqual(MatroskaElement.timestamp.uint(0), [0xE7, 0x81, 0x00])
        XCTAssertEqual(MatroskaElement.timestampScale.uint(1_000_000), [0x2A, 0xD7, 0xB1, 0x83, 0x0F, 0x42, 0x40])
        XCTAssertEqual(MatroskaElement.seekPosition.uint(300, width: 8), [0x53, 0xAC, 0x88, 0, 0, 0, 0, 0, 0, 0x01, 0x2C])
    }

    func testFloatStringAndDate() {
        // 5000.0 = 0x40B3880000000000.
        XCTAssertEqual(MatroskaElement.duration.float(5000.0), [0x44, 0x89, 0x88, 0x40, 0xB3, 0x88, 0, 0, 0, 0, 0])
        XCTAssertEqual(MatroskaElement.codecID.string("V_MJPEG"), [0x86, 0x87] + Array("V_MJPEG".utf8))
        XCTAssertEqual(MatroskaElement.dateUTC.encode(date: -1), [0x44, 0x61, 0x88] + [UInt8](repeating: 0xFF, count: 8))
    }

    func testMasterAndVoid() {
        let video = MatroskaElement.video.master([MatroskaElement.pixelWidth.uint(320), MatroskaElement.pixelHeight.uint(240)])
        XCTAssertEqual(video, [0xE0, 0x87, 0xB0, 0x82, 0x01, 0x40, 0xBA, 0x81, 0xF0])
        XCTAssertEqual(MatroskaElement.voidFilling(2), [0xEC, 0x80])
        XCTAssertEqual(MatroskaElement.voidFilling(11).count, 11)
        XCTAssertEqual(MatroskaElement.voidFilling(130).count, 130)
        XCTAssertEqual(Array(MatroskaElement.voidFilling(130).prefix(3)), [0xEC, 0x40, 0x7F])
    }
}
