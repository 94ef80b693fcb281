import Media
import XCTest

final class MP3FrameHeaderTests: XCTestCase {
    private func header(_ bytes: [UInt8]) throws -> MP3FrameHeader {
        try MP3FrameHeader(bytes[...], at: 0)
    }

    func testMPEG1Layer3() throws {
        let header = try header([0xFF, 0xFB, 0x90, 0x64])
        XCTAssertEqual(header.version, .mpeg1)
        XCTAssertEqual(header.layer, .three)
        XCTAssertEqual(header.bitrate, 128_000)
        XCTAssertEqual(header.sampleRate, 44_100)
        XCTAssertFalse(header.padded)
        XCTAssertFalse(header.hasCRC)
        XCTAssertEqual(header.channelMode, 1)
        XCTAssertEqual(header.frameLength, 417)
        XCTAssertEqual(header.samplesPerFrame, 1152)
        XCTAssertEqual(header.durationMicros, 26_122)
    }

    func testPaddingAddsOneSlot() throws {
        XCTAssertEqual(try header([0xFF, 0xFB, 0x92, 0x64]).frameLength, 418)
        // Layer I slots are four bytes: 32 kbit/s at 32 kHz is 12 slots, 13 padded.
        XCTAssertEqual(try header([0xFF, 0xFF, 0x18, 0x00]).frameLength, 48)
        XCTAssertEqual(try header([0xFF, 0xFF, 0x1A, 0x00]).frameLength, 52)
    }

    func testMPEG2AndMPEG25Layer3HaveHalfTheSamples() throws {
        // MPEG 2, layer III, 64 kbit/s (index 8), 24 kHz, with CRC: 72 * 64000 / 24000 = 192.
        let mpeg2 = try header([0xFF, 0xF2, 0x84, 0x00])
        XCTAssertEqual(mpeg2.version, .mpeg2)
        XCTAssertTrue(mpeg2.hasCRC)
        XCTAssertEqual(mpeg2.bitrate, 64_000)
        XCTAssertEqual(mpeg2.sampleRate, 24_000)
        XCTAssertEqual(mpeg2.samplesPerFrame, 576)
        XCTAssertEqual(mpeg2.frameLength, 192)
        XCTAssertEqual(mpeg2.durationMicros, 24_000)
        // MPEG 2.5, layer III, 8 kbit/s, 8 kHz: 72 bytes.
        let mpeg25 = try header([0xFF, 0xE3, 0x18, 0xC0])
        XCTAssertEqual(mpeg25.version, .mpeg25)
        XCTAssertEqual(mpeg25.sampleRate, 8_000)
        XCTAssertEqual(mpeg25.frameLength, 72)
        XCTAssertEqual(mpeg25.channelMode, 3)
    }

    func testLayer2UsesItsOwnTable() throws {
        // MPEG 1 layer II, index 14 = 384 kbit/s at 48 kHz: 144 * 384000 / 48000 = 1152.
        let header = try header([0xFF, 0xFD, 0xE4, 0x00])
        XCTAssertEqual(header.layer, .two)
        XCTAssertEqual(header.bitrate, 384_000)
        XCTAssertEqual(header.frameLength, 1152)
        XCTAssertEqual(header.samplesPerFrame, 1152)
    }

    func testReservedAndFreeFormatValuesAreRefused() {
        let cases: [([UInt8], MP3HeaderError)] = [
            ([0xFF, 0xFB, 0x90], .truncated),
            ([0xFE, 0xFB, 0x90, 0x64], .noSync),
            ([0xFF, 0xDB, 0x90, 0x64], .noSync),
            ([0xFF, 0xEB, 0x90, 0x64], .reservedVersion),
            ([0xFF, 0xF9, 0x90, 0x64], .reservedLayer),
            ([0xFF, 0xFB, 0x00, 0x64], .freeFormat),
            ([0xFF, 0xFB, 0xF0, 0x64], .reservedBitrate),
            ([0xFF, 0xFB, 0x9C, 0x64], .reservedSampleRate),
            ([0xFF, 0xFB, 0x90, 0x66], .reservedEmphasis),
        ]
        for (bytes, expected) in cases {
            XCTAssertThrowsError(try MP3FrameHeader(bytes[...], at: 0), "\(bytes)") {
                XCTAssertEqual($0 as? MP3HeaderError, expected)
            }
        }
    }

    func testOffsetOutsideTheSliceIsTruncatedNotATrap() {
        let bytes: [UInt8] = [0, 0xFF, 0xFB, 0x90, 0x64]
        XCTAssertThrowsError(try MP3FrameHeader(bytes[1...], at: 0))
        XCTAssertThrowsError(try MP3FrameHeader(bytes[1...], at: 2))
        XCTAssertNoThrow(try MP3FrameHeader(bytes[1...], at: 1))
    }

    /// Every second and third header byte (the fourth only adds emphasis): no trap, and every valid length lies
    /// in 1...maxFrameLength, which is reached.
    func testEveryHeaderHasABoundedLength() {
        var longest = 0
        var valid = 0
        for b1 in 0xE0...0xFF {
            for b2 in 0...0xFF {
                for b3: UInt8 in [0x00, 0xC1] {
                    guard let header = try? MP3FrameHeader(0xFF, UInt8(b1), UInt8(b2), b3) else { continue }
                    valid += 1
                    XCTAssertGreaterThan(header.frameLength, MP3FrameHeader.size)
                    XCTAssertGreaterThan(header.durationMicros, 0)
                    longest = max(longest, header.frameLength)
                }
            }
        }
        XCTAssertEqual(longest, MP3FrameHeader.maxFrameLength)
        // 3 versions x 3 layers x 2 CRC flags x 14 bitrates x 3 rates x 2 paddings x 2 private bits x 2 fourth bytes.
        XCTAssertEqual(valid, 3 * 3 * 2 * 14 * 3 * 2 * 2 * 2)
    }
}
