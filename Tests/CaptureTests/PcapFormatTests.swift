import Wire
import XCTest

@testable import Capture

final class PcapFormatTests: XCTestCase {
    let a = PeerAddress(ipv4: 0x7f00_0001, port: 5000)
    let b = PeerAddress(ipv4: 0x7f00_0002, port: 40000)

    func u32le(_ b: [UInt8], _ i: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(b[i + $1]) << (8 * UInt32($1)) } }
    func u16be(_ b: [UInt8], _ i: Int) -> UInt16 { UInt16(b[i]) << 8 | UInt16(b[i + 1]) }

    func testFileHeader() {
        let h = PcapFormat.fileHeader()
        XCTAssertEqual(h.count, 24)
        XCTAssertEqual(Array(h[0..<4]), [0xd4, 0xc3, 0xb2, 0xa1], "little-endian, microseconds")
        XCTAssertEqual(u32le(h, 16), 65_535)
        XCTAssertEqual(u32le(h, 20), 101, "LINKTYPE_RAW")
    }

    func testIPv4Record() {
        let payload: [UInt8] = [0x56, 0x42, 0x01, 4, 5]
        let r = PcapFormat.record(payload, from: a, to: b, wallMicros: 1_700_000_000_123_456, ipID: 7)
        XCTAssertEqual(u32le(r, 0), 1_700_000_000)
        XCTAssertEqual(u32le(r, 4), 123_456)
        XCTAssertEqual(u32le(r, 8), 33)
        XCTAssertEqual(u32le(r, 12), 33)
        let ip = Array(r[16..<36])
        XCTAssertEqual(ip[0], 0x45)
        XCTAssertEqual(u16be(ip, 2), 33)
        XCTAssertEqual(ip[9], 17)
        XCTAssertEqual(Array(ip[12..<20]), [127, 0, 0, 1, 127, 0, 0, 2])
        XCTAssertEqual(PcapFormat.checksum(ip, initial: 0), 0, "a header with its checksum sums to zero")
        let udp = Array(r[36..<44])
        XCTAssertEqual(u16be(udp, 0), 5000)
        XCTAssertEqual(u16be(udp, 2), 40000)
        XCTAssertEqual(u16be(udp, 4), 13)
        XCTAssertEqual(Array(r[44...]), payload)
        // The UDP checksum verifies: pseudo-header + header + payload sums to zero.
        let pseudo: [UInt8] = [127, 0, 0, 1, 127, 0, 0, 2, 0, 17, 0, 13]
        XCTAssertEqual(PcapFormat.checksum(pseudo + udp + payload, initial: 0), 0)
    }

    func testIPv6Record() {
        let x = PeerAddress(ipv6High: 0, low: 1, port: 1)
        let y = PeerAddress(ipv6High: 0xfe80 << 48, low: 2, port: 2)
        let r = PcapFormat.record([1, 2, 3], from: x, to: y, wallMicros: 0, ipID: 0)
        XCTAssertEqual(r.count, 16 + 40 + 8 + 3)
        XCTAssertEqual(r[16] >> 4, 6)
        XCTAssertEqual(u16be(r, 20), 11, "payload length: UDP header and data")
        XCTAssertEqual(r[22], 17)
    }

    func testAnOverlongPacketIsCutAtTheSnapLength() {
        let r = PcapFormat.record([UInt8](repeating: 1, count: 70_000), from: a, to: b, wallMicros: 0, ipID: 0)
        XCTAssertEqual(u32le(r, 8), UInt32(PcapFormat.snapLength))
        XCTAssertEqual(u32le(r, 12), 70_028)
        XCTAssertEqual(r.count, 16 + PcapFormat.snapLength)
    }
}
