import Crypto
import TestRandom
import XCTest

final class SHA256Tests: XCTestCase {
    /// FIPS 180-4's examples (NIST's "SHA256.pdf", "SHA2_Additional.pdf"): the empty message, one block, two blocks,
    /// a 896-bit message, and a million 'a's.
    func testFIPS180Examples() {
        XCTAssertEqual(hex(SHA256.hash([])), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(hex(SHA256.hash(Array("abc".utf8))), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(
            hex(SHA256.hash(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(
            hex(SHA256.hash(Array(
                "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu".utf8))),
            "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1")
        XCTAssertEqual(
            hex(SHA256.hash([UInt8](repeating: 0x61, count: 1_000_000))), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// Feeding a message in two pieces, cut around the block and padding boundaries, gives the one-call digest.
    func testInPiecesEqualsAtOnce() {
        var rng = XorShift64(seed: 5)
        let data = (0..<1000).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        for cut in [0, 1, 55, 56, 63, 64, 65, 999, 1000] {
            var s = SHA256()
            s.update(Array(data[..<cut]))
            s.update(Array(data[cut...]))
            XCTAssertEqual(s.finalize(), SHA256.hash(data), "cut at \(cut)")
        }
    }
}
