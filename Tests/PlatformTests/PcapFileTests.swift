import Foundation
import Wire
import XCTest

@testable import Platform

/// The capture file: header first, records after, rotated to `.1` before it would pass its size bound.
final class PcapFileTests: XCTestCase {
    func testRotatesBeforeTheBoundAndKeepsOneOlderFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pcap-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("t.pcap").path
        let a = PeerAddress(ipv4: 0x7f00_0001, port: 1)
        let b = PeerAddress(ipv4: 0x7f00_0001, port: 2)
        let max = 1 << 16
        let file = try PcapFile(path: path, maxBytes: max)
        let payload = [UInt8](repeating: 7, count: 1000)
        for i in 0..<200 { file.record(payload, from: a, to: b, wallMicros: UInt64(i)) }
        file.flush()
        XCTAssertNil(file.failed)
        XCTAssertEqual(file.records, 200)
        XCTAssertEqual(file.rotations, 3, "200 records of 1,044 bytes in files of at most 64 KiB")
        for p in [path, path + ".1"] {
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: p)))
            XCTAssertLessThanOrEqual(bytes.count, max)
            XCTAssertEqual(Array(bytes.prefix(4)), [0xd4, 0xc3, 0xb2, 0xa1], "each file starts with its own header")
            XCTAssertEqual((bytes.count - 24) % (16 + 28 + 1000), 0, "whole records only")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path + ".2"))
    }

    func testAnUnwritableFolderIsAnErrorAtStart() {
        XCTAssertThrowsError(try PcapFile(path: "/nonexistent-folder/x.pcap", maxBytes: 1 << 20))
    }
}
