import SimulationSupport
import XCTest

@testable import Wire

final class StreamKeysTests: XCTestCase {
    func hex(_ b: [UInt8]) -> String { StreamKeys.hex(b) }

    func testSHA256KnownAnswers() {
        // FIPS 180-4 examples, and a message that spans the padding boundary.
        XCTAssertEqual(hex(SHA256.hash([])), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(hex(SHA256.hash(Array("abc".utf8))), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(
            hex(SHA256.hash(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(
            hex(SHA256.hash([UInt8](repeating: 0x61, count: 1_000_000))), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    func testSHA256InPiecesEqualsAtOnce() {
        var rng = SplitMix64(seed: 5)
        let data = rng.bytes(1000)
        for cut in [0, 1, 55, 56, 63, 64, 65, 999] {
            var s = SHA256()
            s.update(Array(data[..<cut]))
            s.update(Array(data[cut...]))
            XCTAssertEqual(s.finalize(), SHA256.hash(data), "cut at \(cut)")
        }
    }

    func testHMACSHA256RFC4231() {
        // Test cases 1, 2 and 6 (a key longer than the block).
        XCTAssertEqual(
            hex(HMACSHA256.mac(key: [UInt8](repeating: 0x0b, count: 20), Array("Hi There".utf8))),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        XCTAssertEqual(
            hex(HMACSHA256.mac(key: Array("Jefe".utf8), Array("what do ya want for nothing?".utf8))),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        XCTAssertEqual(
            hex(HMACSHA256.mac(key: [UInt8](repeating: 0xaa, count: 131), Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8))),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
    }

    func testConstantTimeEqual() {
        XCTAssertTrue(HMACSHA256.constantTimeEqual([1, 2, 3], [1, 2, 3]))
        XCTAssertFalse(HMACSHA256.constantTimeEqual([1, 2, 3], [1, 2, 4]))
        XCTAssertFalse(HMACSHA256.constantTimeEqual([1, 2, 3], [1, 2]))
        XCTAssertTrue(HMACSHA256.constantTimeEqual([], []))
    }

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
