import TestRandom
import Media
import XCTest

final class OpusChunkTests: XCTestCase {
    func testEncodesByteForByte() {
        let chunk = OpusChunk(channels: 1, packets: [[0xF8, 0xAA], Array(repeating: 0x11, count: 300)])
        let bytes = chunk.encode()
        XCTAssertEqual(Array(bytes[0..<8]), [0x01, 0x01, 0x02, 0x00, 0x00, 0x02, 0xF8, 0xAA])
        XCTAssertEqual(Array(bytes[8..<10]), [0x01, 0x2C])  // 300
        XCTAssertEqual(bytes.count, 4 + 2 + 2 + 2 + 300)
        XCTAssertEqual(try OpusChunk.decode(bytes), chunk)
    }

    /// The example of docs/PROTOCOL.md §13.
    func testProtocolExample() throws {
        let bytes: [UInt8] = [0x01, 0x01, 0x02, 0x00, 0x00, 0x03, 0xFC, 0x01, 0x02, 0x00, 0x02, 0xF8, 0x07]
        XCTAssertEqual(OpusChunk(channels: 1, packets: [[0xFC, 0x01, 0x02], [0xF8, 0x07]]).encode(), bytes)
        XCTAssertEqual(try OpusChunk.decode(bytes).packets.map { OpusPacket.sampleCount($0) }, [960, 960])
    }

    func testRefusesBrokenChunksWithTypedErrors() {
        let good = OpusChunk(channels: 2, packets: [[0xFC, 1, 2, 3]]).encode()
        XCTAssertThrowsError(try OpusChunk.decode(Array(good.prefix(3)))) { XCTAssertEqual($0 as? OpusChunkError, .truncated) }
        XCTAssertThrowsError(try OpusChunk.decode(Array(good.dropLast()))) { XCTAssertEqual($0 as? OpusChunkError, .truncated) }
        XCTAssertThrowsError(try OpusChunk.decode(good + [0])) { XCTAssertEqual($0 as? OpusChunkError, .trailingBytes(1)) }
        var b = good
        b[0] = 2
        XCTAssertThrowsError(try OpusChunk.decode(b)) { XCTAssertEqual($0 as? OpusChunkError, .unknownFormat(2)) }
        b = good
        b[1] = 3
        XCTAssertThrowsError(try OpusChunk.decode(b)) { XCTAssertEqual($0 as? OpusChunkError, .badChannels(3)) }
        b = good
        b[2] = 0
        XCTAssertThrowsError(try OpusChunk.decode(b)) { XCTAssertEqual($0 as? OpusChunkError, .badPacketCount(0)) }
        b = good
        b[2] = 51
        XCTAssertThrowsError(try OpusChunk.decode(b)) { XCTAssertEqual($0 as? OpusChunkError, .badPacketCount(51)) }
        b = good
        b[4] = 0
        b[5] = 0
        XCTAssertThrowsError(try OpusChunk.decode(b)) { XCTAssertEqual($0 as? OpusChunkError, .badPacketLength(0)) }
        b = [1, 1, 1, 0, 0xFF, 0xFF] + Array(repeating: 0, count: 10)
        XCTAssertThrowsError(try OpusChunk.decode(b)) { XCTAssertEqual($0 as? OpusChunkError, .badPacketLength(65_535)) }
    }

    func testRandomBytesNeverTrap() {
        var rng = XorShift64(seed: 7)
        for _ in 0..<20_000 {
            let n = Int(rng.next() % 40)
            var bytes = (0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            if n > 3 { bytes[0] = 1 }
            _ = try? OpusChunk.decode(bytes)
        }
    }

    func testPacketDurationsFromTheTOC() {
        XCTAssertEqual(OpusPacket.sampleCount([0xF8]), 960)  // CELT FB 20 ms, code 0 (what libopus sends at 20 ms)
        XCTAssertEqual(OpusPacket.sampleCount([0x08]), 960)  // SILK NB 20 ms
        XCTAssertEqual(OpusPacket.sampleCount([0x18]), 2880)  // SILK NB 60 ms
        XCTAssertEqual(OpusPacket.sampleCount([0x79]), 1920)  // hybrid FB 20 ms, code 1: two frames
        XCTAssertEqual(OpusPacket.sampleCount([0xEB, 0x06]), 6 * 240)  // CELT FB 5 ms, code 3 with 6 frames
        XCTAssertNil(OpusPacket.sampleCount([0x1B, 0x03]))  // 3 × 60 ms is over 120 ms
        XCTAssertNil(OpusPacket.sampleCount([0xE3]))  // code 3 without its count byte
        XCTAssertNil(OpusPacket.sampleCount([0xE3, 0x00]))  // no frames
        XCTAssertNil(OpusPacket.sampleCount([]))
    }
}
