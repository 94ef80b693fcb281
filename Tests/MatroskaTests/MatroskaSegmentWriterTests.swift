import XCTest

@testable import Matroska

/// Carries out `FileWrite`s on bytes in memory, as the recorder does on a file.
func apply(_ writes: [FileWrite], to file: inout [UInt8]) {
    for w in writes {
        switch w {
        case .append(let b): file += b
        case .patch(let offset, let b): file.replaceSubrange(offset..<offset + b.count, with: b)
        }
    }
}

final class MatroskaSegmentWriterTests: XCTestCase {
    let start: UInt64 = 1_700_000_000_000_000
    let video = MatroskaTrack(number: 1, media: .mjpeg(JPEGDimensions(width: 320, height: 240)))

    func testHeaderStartsWithTheEBMLHeaderAndAnUnknownSizeSegment() {
        let w = MatroskaSegmentWriter(tracks: [video], startMicros: start, app: "t")
        let ebml: [UInt8] =
            [0x1A, 0x45, 0xDF, 0xA3, 0xA3]  // EBML, 35 bytes
            + [0x42, 0x86, 0x81, 0x01, 0x42, 0xF7, 0x81, 0x01, 0x42, 0xF2, 0x81, 0x04, 0x42, 0xF3, 0x81, 0x08]
            + [0x42, 0x82, 0x88] + Array("matroska".utf8) + [0x42, 0x87, 0x81, 0x04, 0x42, 0x85, 0x81, 0x02]
        XCTAssertEqual(Array(w.header.prefix(40)), ebml)
        XCTAssertEqual(Array(w.header[40..<52]), [0x18, 0x53, 0x80, 0x67, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
        XCTAssertEqual(Array(w.header[52..<56]), [0x11, 0x4D, 0x9B, 0x74], "the SeekHead comes first")
        XCTAssertEqual(w.length, w.header.count)
    }

    func testTinyFileBlockClusterAndPatches() throws {
        var w = MatroskaSegmentWriter(tracks: [video], startMicros: start, app: "t")
        var file = w.header
        let h = file.count
        let first = try w.append(track: 1, frame: [0xAA, 0xBB], captureMicros: start + 400)  // rounds to 0 ms
        XCTAssertEqual(
            first,
            [
                .append([
                    0x1F, 0x43, 0xB6, 0x75, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xE7, 0x81, 0x00, 0xA3, 0x86, 0x81, 0x00, 0x00, 0x80,
                    0xAA, 0xBB,
                ])
            ])
        apply(first, to: &file)
        // 300 ms later: the same cluster, relative timestamp 300 = 0x012C.
        let second = try w.append(track: 1, frame: [0xCC], captureMicros: start + 300_000)
        XCTAssertEqual(second, [.append([0xA3, 0x85, 0x81, 0x01, 0x2C, 0x80, 0xCC])])
        apply(second, to: &file)
        // 1 s after the cluster's start: a new cluster, and the first one's size (3 + 8 + 7 = 18) patched in.
        let third = try w.append(track: 1, frame: [0xDD], captureMicros: start + 1_000_000)
        XCTAssertEqual(third.first, .patch(offset: h + 4, bytes: [0x01, 0, 0, 0, 0, 0, 0, 0x12]))
        apply(third, to: &file)
        XCTAssertEqual(w.clusterCount, 2)
        XCTAssertEqual(w.durationMillis, 1700, "the last frame plus its interval")
        apply(w.finish(), to: &file)
        XCTAssertEqual(file.count, w.length)
        // The Segment's size is everything after its 12-byte head.
        XCTAssertEqual(Array(file[44..<52]), EBMLVarInt.encode(UInt64(file.count - 52), width: 8))
        let cues = try XCTUnwrap(file[(h + 18 + 7)...].firstRange(of: [0x1C, 0x53, 0xBB, 0x6B] as [UInt8]), "cues written")
        XCTAssertEqual(cues.lowerBound, h + 30 + 23, "right after the two clusters (12 + 3 + 8 + 7 and 12 + 4 + 7 bytes)")
    }

    func testCaptureTimeBeforeTheStartIsRefused() {
        var w = MatroskaSegmentWriter(tracks: [video], startMicros: start, app: "t")
        XCTAssertThrowsError(try w.append(track: 1, frame: [1], captureMicros: start - 1)) {
            XCTAssertEqual($0 as? MatroskaError, .beforeSegmentStart(captureMicros: start - 1, startMicros: start))
        }
    }

    func testClustersSpanAtMostASecond() throws {
        var w = MatroskaSegmentWriter(tracks: [video], startMicros: start, app: "t")
        for i in 0..<100 { _ = try w.append(track: 1, frame: [1], captureMicros: start + UInt64(i) * 33_333) }
        XCTAssertEqual(w.clusterCount, 4, "3.3 s in clusters starting at 0, 1.0, 2.0 and 3.0 s")
    }
}
