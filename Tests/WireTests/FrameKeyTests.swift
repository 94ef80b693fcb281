import SimulationSupport
import XCTest

@testable import Wire

final class FrameKeyTests: XCTestCase {
    /// The key read in place from a datagram is the key made from its parsed header, and the two keys differ.
    func testTheInPlaceKeyIsTheParsedHeadersKey() throws {
        let stream = StreamID(rawValue: 0xAB_CDEF_02)
        for d in frameDatagrams(0xFFFF_FFFE, firstSequence: 41, stream: stream, captureTime: 5, seed: 3) {
            let h = try DataHeader.parse(d[...])
            XCTAssertEqual(DataHeader.frameKey(of: d), FrameKey.of(stream: stream, frame: 0xFFFF_FFFE))
            XCTAssertEqual(FrameKey.of(stream: h.stream, frame: h.frameNumber), 0xAB_CDEF_02_FFFF_FFFE)
            XCTAssertEqual(FrameKey.datagram(stream: h.stream, sequence: h.sequence), 0xAB_CDEF_02_0000_0000 | UInt64(h.sequence))
        }
    }

    /// Origin, flags and MAC written in place land where the parser and the MAC read them, and nowhere else.
    func testInPlaceWritesLandInTheirFields() throws {
        let original = frameDatagrams(9, firstSequence: 1, size: 100, captureTime: 2, seed: 4)[0]
        var d = original
        DataHeader.setOrigin(&d, 0x12_3456)
        XCTAssertEqual(DataHeader.origin(of: d), 0x12_3456)
        d = DataHeader.markedResent(d)
        XCTAssertEqual(try DataHeader.parse(d[...]).flags, DataHeader.retransmitFlag)
        DataHeader.clearFlag(DataHeader.retransmitFlag, in: &d)
        XCTAssertEqual(try DataHeader.parse(d[...]).flags, 0)
        DataHeader.setMAC(&d, 0x0102_0304_0506_0708)
        XCTAssertEqual(d.withUnsafeBytes { DataHeader.mac(of: $0) }, 0x0102_0304_0506_0708)
        var expected = original
        expected[33...43] = [0x12, 0x34, 0x56, 1, 2, 3, 4, 5, 6, 7, 8]
        XCTAssertEqual(d, expected, "origin at 33..<36 and the MAC at 36..<44, as docs/PROTOCOL.md places them")
    }
}
