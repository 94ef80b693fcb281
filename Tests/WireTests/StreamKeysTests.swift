import Crypto
import SimulationSupport
import XCTest

@testable import Wire

final class StreamKeysTests: XCTestCase {
    func hex(_ b: [UInt8]) -> String { StreamKeys.hex(b) }

    func testKeysDependOnSecretAndIdAndPrintAsHex() {
        let a = StreamKeys.streamKey(secret: testPublishSecret, producer: testProducer)
        XCTAssertEqual(a.count, 16)
        XCTAssertNotEqual(a, StreamKeys.streamKey(secret: testPublishSecret, producer: ProducerID(rawValue: 0x1A_AA98)!))
        XCTAssertNotEqual(a, StreamKeys.streamKey(secret: testPublishSecret + [1], producer: testProducer))
        let text = StreamKeys.hex(a)
        XCTAssertEqual(text.count, 32)
        XCTAssertEqual(StreamKeys.parse(hex: text), a)
        XCTAssertEqual(StreamKeys.parse(hex: text.uppercased()), a)
        for bad in ["", "12", String(text.dropLast()), text + "0", "zz" + text.dropFirst(2)] { XCTAssertNil(StreamKeys.parse(hex: bad), bad) }
    }

    func testMediaKeysDifferPerSession() {
        let k = testStreamKey()
        XCTAssertEqual(StreamKeys.mediaKey(streamKey: k, nonce: 1), StreamKeys.mediaKey(streamKey: k, nonce: 1))
        XCTAssertNotEqual(StreamKeys.mediaKey(streamKey: k, nonce: 1), StreamKeys.mediaKey(streamKey: k, nonce: 3))
    }

    /// The MAC is SipHash-2-4 of bytes 0..<32 followed by the payload, as the specification says.
    func testDataMACIsSipHashOfHeaderAndPayload() throws {
        let key = DataMAC(k0: 0x0706_0504_0302_0100, k1: 0x0f0e_0d0c_0b0a_0908)
        for size in [1, 7, 8, 9, 100, 1356, 5000] {
            for var d in frameDatagrams(4, firstSequence: 7, size: size, captureTime: 99, seed: 9) {
                let expected = SipHash24(k0: key.k0, k1: key.k1).hash(Array(d[0..<32]) + Array(d[44...]))
                XCTAssertEqual(key.compute(d), expected, "size \(size)")
                XCTAssertFalse(key.verify(d), "an unstamped datagram does not verify")
                key.stamp(&d)
                XCTAssertTrue(key.verify(d))
                let h = try DataHeader.parse(d[...])
                XCTAssertEqual(h.sequence, 7 + UInt32(h.chunkIndex), "the MAC does not disturb the header")
            }
        }
    }

    func testFlagsAndReservedBytesAreNotCoveredButEverythingElseIs() {
        let key = StreamKeys.mediaKey(streamKey: testStreamKey(), nonce: 5)
        var d = frameDatagrams(1, firstSequence: 1, captureTime: 1)[1]
        key.stamp(&d)
        for i in 32..<36 {
            var m = d
            m[i] ^= 0x07
            XCTAssertTrue(key.verify(m), "byte \(i) may be changed by a broker")
        }
        for i in Array(0..<32) + Array(36..<44) + [44, 500, d.count - 1] {
            var m = d
            m[i] ^= 0x01
            XCTAssertFalse(key.verify(m), "byte \(i) is covered")
        }
        XCTAssertFalse(StreamKeys.mediaKey(streamKey: testStreamKey(), nonce: 7).verify(d), "another session's key")
    }

    func testHelloProofCoversTheSignedFields() {
        let h = Hello(token: 9, nonce: 11, role: .producer, producer: testProducer, streams: [StreamDescriptor(index: 1, kind: .video, rateMilli: 1)])
        let signed = h.signed(streamKey: testStreamKey())
        XCTAssertEqual(signed.proof.count, 16)
        var other = h
        other.streams[0].rateMilli = 2
        XCTAssertNotEqual(other.signed(streamKey: testStreamKey()).proof, signed.proof)
        other = h
        other.token = 10
        XCTAssertNotEqual(other.signed(streamKey: testStreamKey()).proof, signed.proof)
        XCTAssertEqual(try Message.decode(Message.hello(signed).encode()), .hello(signed))
    }
}
