import SimulationSupport
import XCTest

@testable import Wire

final class StreamIDTests: XCTestCase {
    func testProducerIDParsesExactlySixHexDigits() {
        XCTAssertEqual(ProducerID(hex: "1AAA99")?.rawValue, 0x1A_AA99)
        XCTAssertEqual(ProducerID(hex: "1aaa99")?.rawValue, 0x1A_AA99)
        XCTAssertEqual(ProducerID(hex: "000000")?.rawValue, 0)
        XCTAssertEqual(ProducerID(hex: "FFFFFF")?.rawValue, 0xFF_FFFF)
        for bad in ["", "1AAA9", "1AAA990", "1AAA9G", "+1AAA9", "-1AAA9", " 1AAA9", "1AAA9 ", "0x1AAA", "１AAA99"] {
            XCTAssertNil(ProducerID(hex: bad), "\(bad) parsed")
        }
        XCTAssertNil(ProducerID(rawValue: 0x100_0000))
        XCTAssertEqual(ProducerID(rawValue: 0xAB)?.description, "0000AB")
    }

    func testStreamIDLayoutAndText() {
        let id = StreamID(producer: testProducer, kind: .audio)
        XCTAssertEqual(id.rawValue, 0x1AAA_9902)
        XCTAssertEqual(id.producer, testProducer)
        XCTAssertEqual(id.index, 2)
        XCTAssertEqual(id.kind, .audio)
        XCTAssertEqual(id.description, "1AAA9902")
        XCTAssertEqual(StreamID(rawValue: 0x0000_0101).description, "00000101")
        XCTAssertFalse(id.isProducerSelector)
        XCTAssertTrue(allOfTestProducer.isProducerSelector)
        XCTAssertNil(StreamID(producer: testProducer, index: 7).kind)
        XCTAssertEqual(StreamID(producer: ProducerID(rawValue: 0xFF_FFFF)!, index: 0xFF).rawValue, UInt32.max)
    }

    func testSelectorParsing() {
        XCTAssertEqual(StreamID(selector: "1AAA99"), allOfTestProducer)
        XCTAssertEqual(StreamID(selector: "1AAA9901"), videoStream)
        XCTAssertEqual(StreamID(selector: "1aaa9902"), audioStream)
        for bad in ["", "1AAA9", "1AAA990", "1AAA9900", "1AAA99011", "1AAA990G", "+1AAA990", "-1AAA990", "1AAA99 1"] {
            XCTAssertNil(StreamID(selector: bad), "\(bad) parsed")
        }
    }

    func testCovers() {
        XCTAssertTrue(videoStream.covers(videoStream))
        XCTAssertFalse(videoStream.covers(audioStream))
        XCTAssertTrue(allOfTestProducer.covers(videoStream))
        XCTAssertTrue(allOfTestProducer.covers(audioStream))
        XCTAssertTrue(allOfTestProducer.covers(allOfTestProducer))
        XCTAssertFalse(allOfTestProducer.covers(StreamID(producer: ProducerID(rawValue: 0x1A_AA98)!, index: 1)))
        XCTAssertFalse(videoStream.covers(allOfTestProducer))
    }

    func testSerialArithmeticAcrossWraparound() {
        XCTAssertTrue(Serial.less(1, 2))
        XCTAssertFalse(Serial.less(2, 1))
        XCTAssertFalse(Serial.less(5, 5))
        XCTAssertTrue(Serial.less(UInt32.max, 0))
        XCTAssertTrue(Serial.less(UInt32.max - 10, 10))
        XCTAssertFalse(Serial.less(10, UInt32.max - 10))
        XCTAssertEqual(Serial.distance(from: UInt32.max, to: 0), 1)
        XCTAssertEqual(Serial.distance(from: 0, to: UInt32.max), -1)
        XCTAssertEqual(Serial.distance(from: UInt32.max - 2, to: 3), 6)
        XCTAssertEqual(Serial.distance(from: 100, to: 40), -60)
    }

    /// Kind 3 names Opus chunks; the kind byte of an MP3 stream's descriptor is 2 as before, so existing streams
    /// are unchanged on the wire, and an unknown kind is still refused.
    func testOpusKindInTheHelloDescriptor() throws {
        XCTAssertEqual(StreamID(producer: testProducer, kind: .opus).description, "1AAA9903")
        XCTAssertEqual(StreamKind.opus.description, "opus")
        XCTAssertTrue(StreamKind.opus.isAudio && StreamKind.audio.isAudio && !StreamKind.video.isAudio)
        let streams = [
            StreamDescriptor(index: 1, kind: .video, rateMilli: 12_000), StreamDescriptor(index: 2, kind: .audio, rateMilli: 1000),
            StreamDescriptor(index: 3, kind: .opus, rateMilli: 10_000),
        ]
        let hello = Hello(token: 0, nonce: 1, role: .producer, producer: testProducer, streams: streams, proof: Array(repeating: 7, count: 16))
        // The descriptors follow the 34-byte head (the challenge ends at byte 33).
        var bytes = Message.hello(hello).encode()
        XCTAssertEqual(Array(bytes[42..<50]), [2, 2, 0, 0, 0, 0, 0x03, 0xE8], "the MP3 descriptor as before")
        XCTAssertEqual(Array(bytes[50..<58]), [3, 3, 0, 0, 0, 0, 0x27, 0x10], "index 3, kind 3, 10 chunks/s")
        XCTAssertEqual(try Message.decode(bytes[...]), .hello(hello))
        bytes[51] = 4
        XCTAssertThrowsError(try Message.decode(bytes[...])) { XCTAssertEqual($0 as? WireError, .badField(field: .kind, value: 4)) }
    }
}
