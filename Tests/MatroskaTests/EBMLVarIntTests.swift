import XCTest

@testable import Matroska

final class EBMLVarIntTests: XCTestCase {
    func testShortestForms() {
        // RFC 8794 §4.4's table: 1 byte up to 2^7-2, 2 bytes up to 2^14-2, ...; all ones is reserved for unknown.
        XCTAssertEqual(EBMLVarInt.encode(0), [0x80])
        XCTAssertEqual(EBMLVarInt.encode(1), [0x81])
        XCTAssertEqual(EBMLVarInt.encode(126), [0xFE])
        XCTAssertEqual(EBMLVarInt.encode(127), [0x40, 0x7F], "127 in one byte would read as unknown")
        XCTAssertEqual(EBMLVarInt.encode(16_382), [0x7F, 0xFE])
        XCTAssertEqual(EBMLVarInt.encode(16_383), [0x20, 0x3F, 0xFF])
        XCTAssertEqual(EBMLVarInt.encode(20_000), [0x20, 0x4E, 0x20])
    }

    func testFixedWidth() {
        XCTAssertEqual(EBMLVarInt.encode(11, width: 8), [0x01, 0, 0, 0, 0, 0, 0, 0x0B])
        XCTAssertEqual(EBMLVarInt.encode(5, width: 2), [0x40, 0x05])
    }

    func testUnknownSize() {
        XCTAssertEqual(EBMLVarInt.unknownSize(width: 8), [0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
        XCTAssertEqual(EBMLVarInt.unknownSize(width: 1), [0xFF])
    }

    func testIDBytesKeepMarkerBits() {
        XCTAssertEqual(EBMLVarInt.idBytes(0x1A45_DFA3), [0x1A, 0x45, 0xDF, 0xA3])
        XCTAssertEqual(EBMLVarInt.idBytes(0x2A_D7B1), [0x2A, 0xD7, 0xB1])
        XCTAssertEqual(EBMLVarInt.idBytes(0xA3), [0xA3])
    }

    func testEveryIDHasAValidMarker() {
        // An ID's length is given by its leading zero bits (RFC 8794 §5): 0x80 -> 1 byte ... 0x10 -> 4 bytes.
        var seen = Set<UInt32>()
        for e in MatroskaElement.all {
            let b = EBMLVarInt.idBytes(e.id)
            XCTAssertEqual(b[0].leadingZeroBitCount + 1, b.count, "\(e.name)")
            XCTAssertTrue(seen.insert(e.id).inserted, "\(e.name) listed twice")
        }
    }
}
