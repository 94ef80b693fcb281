import SimulationSupport
import XCTest

@testable import Wire

final class ChunkerTests: XCTestCase {
    func chunks(_ size: Int, firstSequence: UInt32 = 100) -> [[UInt8]] {
        frameDatagrams(9, firstSequence: firstSequence, size: size, captureTime: 123, seed: UInt64(size))
    }

    func testChunkCountsAtTheBoundaries() {
        let p = WireConstants.chunkPayload
        XCTAssertEqual(chunks(1).count, 1)
        XCTAssertEqual(chunks(p).count, 1)
        XCTAssertEqual(chunks(p + 1).count, 2)
        XCTAssertEqual(chunks(2 * p).count, 2)
        XCTAssertEqual(chunks(WireConstants.maxFrameBytes).count, Limits().maxChunksPerFrame)
    }

    func testEveryChunkIsAValidDatagramAndTheyReassemble() throws {
        for size in [1, 1363, 1364, 1365, 20_000, WireConstants.maxFrameBytes] {
            let frame = randomFrame(size, seed: UInt64(size))
            let datagrams = Chunker.chunk(frame: frame, stream: videoStream, frameNumber: 9, firstSequence: 100, captureTime: 123)
            var rebuilt: [UInt8] = []
            for (i, d) in datagrams.enumerated() {
                XCTAssertLessThanOrEqual(d.count, WireConstants.maxDatagram)
                if i < datagrams.count - 1 { XCTAssertEqual(d.count, WireConstants.maxDatagram, "only the last chunk is short") }
                let h = try DataHeader.parse(d[...])
                XCTAssertEqual(h.stream, videoStream)
                XCTAssertEqual(h.sequence, 100 + UInt32(i))
                XCTAssertEqual(h.frameNumber, 9)
                XCTAssertEqual(h.frameLength, UInt32(size))
                XCTAssertEqual(Int(h.chunkIndex), i)
                XCTAssertEqual(Int(h.chunkCount), datagrams.count)
                XCTAssertEqual(h.captureTime, 123)
                XCTAssertEqual(h.flags, 0)
                guard case .data(let h2, let payload) = try Message.decode(d) else { return XCTFail("not DATA") }
                XCTAssertEqual(h2, h)
                rebuilt += payload
            }
            XCTAssertEqual(rebuilt, frame, "frame of \(size) bytes")
        }
    }

    func testSequenceNumbersWrap() throws {
        let datagrams = chunks(3 * WireConstants.chunkPayload, firstSequence: UInt32.max - 1)
        XCTAssertEqual(try datagrams.map { try DataHeader.parse($0[...]).sequence }, [UInt32.max - 1, UInt32.max, 0])
    }

    func testChunkerMatchesTheMessageEncoder() {
        let frame = randomFrame(3000, seed: 5)
        let datagrams = Chunker.chunk(frame: frame, stream: audioStream, frameNumber: 1, firstSequence: 7, captureTime: 99)
        for (i, d) in datagrams.enumerated() {
            let lo = i * WireConstants.chunkPayload
            let h = DataHeader(
                stream: audioStream, sequence: 7 + UInt32(i), frameNumber: 1, frameLength: 3000, chunkIndex: UInt16(i), chunkCount: 3, captureTime: 99
            )
            XCTAssertEqual(d, Message.data(h, payload: frame[lo..<min(3000, lo + WireConstants.chunkPayload)]).encode())
        }
    }
}
