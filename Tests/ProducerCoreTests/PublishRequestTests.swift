import Media
import ProducerCore
import Wire
import XCTest

final class PublishRequestTests: XCTestCase {
    let key = "00112233445566778899aabbccddeeff"

    func testParsesTheStartLine() throws {
        let r = try PublishRequest.parse("start 1aaa99 \(key) 12 1").get()
        XCTAssertEqual(r.producer, ProducerID(hex: "1AAA99"))
        XCTAssertEqual(r.streamKey, StreamKeys.parse(hex: key))
        XCTAssertEqual(r.rate, 12)
        XCTAssertEqual(
            r.streams,
            [StreamDescriptor(index: 1, kind: .video, rateMilli: 12_000), StreamDescriptor(index: 3, kind: .opus, rateMilli: 10_000)])
        XCTAssertEqual(
            try PublishRequest.parse("start 1AAA99 \(key) 2.5 0").get().streams, [StreamDescriptor(index: 1, kind: .video, rateMilli: 2500)])
    }

    func testRefusalsNeverRepeatTheKey() {
        for bad in [
            "", "start", "stop 1AAA99 \(key) 12 1", "start 000000 \(key) 12 1", "start 1AAA9 \(key) 12 1", "start 1AAA99 \(key.dropLast()) 12 1",
            "start 1AAA99 \(key) 0 1", "start 1AAA99 \(key) 61 1", "start 1AAA99 \(key) nan 1", "start 1AAA99 \(key) 12 3",
            "start 1AAA99 \(key) 12 1 x",
        ] {
            guard case .failure(let e) = PublishRequest.parse(bad) else { return XCTFail("\(bad) accepted") }
            XCTAssertFalse(e.message.lowercased().contains(key.prefix(8)), e.message)
        }
    }

    func testStateMessagesAreJSON() {
        XCTAssertEqual(PublishState.refused.json("no \"key\"\n"), #"{"state":"refused","message":"no \"key\"\u000a"}"#)
        XCTAssertEqual(PublishState.allCases.map(\.rawValue), ["idle", "connecting", "live", "refused", "error"])
    }

    func testBatcherMakesChunksOfFivePackets() throws {
        var b = OpusBatcher(channels: 1)
        for i in 0..<4 { XCTAssertNil(b.add([0xFC, UInt8(i)], arrival: 100 + UInt64(i))) }
        XCTAssertNil(b.add([], arrival: 200))
        XCTAssertNil(b.add([0xE3], arrival: 200))  // code 3 without its count byte
        XCTAssertEqual(b.refused, 2)
        let (chunk, capture) = try XCTUnwrap(b.add([0xFC, 4], arrival: 300))
        XCTAssertEqual(capture, 100, "the first packet's arrival")
        XCTAssertEqual(try OpusChunk.decode(chunk), OpusChunk(channels: 1, packets: (0..<5).map { [0xFC, UInt8($0)] }))
        XCTAssertNil(b.add([0xFC, 5], arrival: 400), "a new chunk starts")
    }
}
