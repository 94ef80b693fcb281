import SimulationSupport
import XCTest

@testable import Wire

final class BytesTests: XCTestCase {
    func testWriterIsBigEndian() {
        var w = ByteWriter()
        w.write(UInt8(0x01))
        w.write(UInt16(0x0203))
        w.write24(0xFF04_0506)
        w.write(UInt32(0x0708_090A))
        w.write(UInt64(0x0B0C_0D0E_0F10_1112))
        w.zeros(2)
        w.write(bytes: [0xAA, 0xBB])
        XCTAssertEqual(w.bytes, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 0, 0, 0xAA, 0xBB])
        w.pad(to: 30)
        XCTAssertEqual(w.bytes.count, 30)
        w.pad(to: 10)
        XCTAssertEqual(w.bytes.count, 30, "padding never shortens")
    }

    func testReaderReadsWhatTheWriterWrote() throws {
        var w = ByteWriter()
        w.write(UInt8(0xFE))
        w.write(UInt16(0xBEEF))
        w.write24(0x12_3456)
        w.write(UInt32.max)
        w.write(UInt64(0x0123_4567_89AB_CDEF))
        w.write(bytes: [9, 8, 7])
        var r = ByteReader(w.bytes)
        XCTAssertEqual(try r.u8(.version), 0xFE)
        XCTAssertEqual(try r.u16(.magic), 0xBEEF)
        XCTAssertEqual(try r.u24(.origin), 0x12_3456)
        XCTAssertEqual(try r.u32(.token), UInt32.max)
        XCTAssertEqual(try r.u64(.nonce), 0x0123_4567_89AB_CDEF)
        XCTAssertEqual(Array(try r.take(2, .proof)), [9, 8])
        XCTAssertEqual(Array(r.rest()), [7])
        XCTAssertEqual(r.remaining, 0)
    }

    func testShortReadsThrowAndDoNotMove() {
        var r = ByteReader([1, 2, 3])
        XCTAssertEqual(wireError { () throws(WireError) in _ = try r.u32(.token) }, .truncated(field: .token))
        XCTAssertEqual(r.remaining, 3)
        XCTAssertEqual(wireError { () throws(WireError) in _ = try r.u64(.nonce) }, .truncated(field: .nonce))
        XCTAssertEqual(wireError { () throws(WireError) in _ = try r.take(4, .proof) }, .truncated(field: .proof))
        XCTAssertEqual(wireError { () throws(WireError) in try r.skip(4, .reserved) }, .truncated(field: .reserved))
        XCTAssertEqual(r.remaining, 3)
        XCTAssertEqual(try? r.u24(.stamp), 0x01_0203)
        XCTAssertEqual(wireError { () throws(WireError) in _ = try r.u8(.flags) }, .truncated(field: .flags))
    }

    func testReaderHonoursSliceIndices() throws {
        let buffer: [UInt8] = [0xFF, 0xFF, 0x00, 0x2A, 0xFF]
        var r = ByteReader(buffer[2..<4])
        XCTAssertEqual(r.remaining, 2)
        XCTAssertEqual(try r.u16(.count), 42)
        XCTAssertEqual(wireError { () throws(WireError) in _ = try r.u8(.state) }, .truncated(field: .state))
    }
}
