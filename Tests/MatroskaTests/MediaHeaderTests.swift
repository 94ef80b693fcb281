import XCTest

@testable import Matroska

final class MediaHeaderTests: XCTestCase {
    func testJPEGStartOfFrame() {
        // SOI, an APP0 of 4 bytes, SOF0 with height 240 and width 320.
        let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x00, 0x00, 0xFF, 0xC0, 0x00, 0x11, 0x08, 0x00, 0xF0, 0x01, 0x40, 0x03]
        XCTAssertEqual(JPEGDimensions(jpeg: jpeg), JPEGDimensions(width: 320, height: 240))
    }

    func testJPEGRefusals() {
        XCTAssertNil(JPEGDimensions(jpeg: []))
        XCTAssertNil(JPEGDimensions(jpeg: [0xFF, 0xD8, 0xFF, 0xE0, 0xFF, 0xFF]), "a segment length past the end")
        XCTAssertNil(JPEGDimensions(jpeg: [0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x11, 0x08]), "a SOF cut short")
        XCTAssertNil(JPEGDimensions(jpeg: [0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x02, 0x00]), "scan data before any SOF")
        XCTAssertNil(JPEGDimensions(jpeg: [0x89, 0x50, 0x4E, 0x47]))
    }

    func testMP3Headers() {
        // MPEG-1 Layer III, 64 kbit/s, 44.1 kHz, mono (the sample media's first bytes).
        XCTAssertEqual(MP3StreamInfo(mp3: [0xFF, 0xFB, 0x50, 0xC4]), MP3StreamInfo(sampleRate: 44100, channels: 1))
        // MPEG-1, 48 kHz, joint stereo.
        XCTAssertEqual(MP3StreamInfo(mp3: [0xFF, 0xFB, 0x94, 0x64]), MP3StreamInfo(sampleRate: 48000, channels: 2))
        // MPEG-2, 22.05 kHz, after two junk bytes.
        XCTAssertEqual(MP3StreamInfo(mp3: [0x00, 0xFF, 0xFF, 0xF3, 0x50, 0x00]), MP3StreamInfo(sampleRate: 22050, channels: 2))
        XCTAssertNil(MP3StreamInfo(mp3: [0xFF, 0xFD, 0x50, 0xC4]), "layer II")
        XCTAssertNil(MP3StreamInfo(mp3: [0xFF, 0xFB, 0x5C, 0xC4]), "reserved sample rate")
        XCTAssertNil(MP3StreamInfo(mp3: [0xFF, 0xFB]))
    }
}
