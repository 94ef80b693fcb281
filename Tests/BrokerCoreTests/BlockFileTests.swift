import BrokerCore
import SimulationSupport
import Wire
import XCTest

/// The state file of the block list: what is written is read back, and damage costs only the damaged lines.
final class BlockFileTests: XCTestCase {
    let entries = [
        PeerBlockEntry(producer: testProducer, blocked: true, stamp: 0x0000_0001_0203_0405),
        PeerBlockEntry(producer: ProducerID(rawValue: 0xFF_FFFF)!, blocked: false, stamp: .max),
    ]

    func testWhatIsWrittenIsReadBack() {
        let text = BlockFile.encode(entries)
        XCTAssertEqual(text, "# vbroker blocks v1\nblocked 1AAA99 0000000102030405\nunblocked FFFFFF FFFFFFFFFFFFFFFF\n")
        let (read, problems) = BlockFile.decode(text)
        XCTAssertEqual(read, entries)
        XCTAssertEqual(problems, [])
        XCTAssertEqual(BlockFile.decode(BlockFile.encode([])).entries, [])
    }

    func testDamagedLinesAreNamedAndSkipped() {
        let text =
            "# vbroker blocks v1\r\nblocked 1AAA99 0000000102030405\nblocked 1AAA9 0000000102030405\nblocked 000000 0000000000000001\n"
            + "paused 1AAA99 0000000102030405\n\n# a comment\nunblocked FFFFFF FFFFFFFFFFFFFFFG\nunblocked FFFFFF FFFFFFFFFFFFFFFF extra\n"
            + "unblocked FFFFFF FFFFFFFFFFFFFFFF"
        let (read, problems) = BlockFile.decode(text)
        XCTAssertEqual(read, entries, "the good lines count, the last one without its newline too")
        XCTAssertEqual(problems.map(\.line), [3, 4, 5, 8, 9])
        XCTAssertTrue(problems[0].description.contains("line 3: expected"), problems[0].description)
    }

    func testAFileWithoutTheHeaderIsRefusedWhole() {
        for text in ["", "blocked 1AAA99 0000000102030405\n", "\u{0}\u{1}\u{2}garbage", "# vbroker blocks v2\nblocked 1AAA99 0000000102030405\n"] {
            let (read, problems) = BlockFile.decode(text)
            XCTAssertEqual(read, [])
            XCTAssertEqual(problems.count, 1)
            XCTAssertTrue(problems[0].text.contains("not a block list"))
        }
    }

    func testSeededGarbageNeverTraps() {
        var rng = SplitMix64(seed: 21)
        let alphabet = Array("# vbrokeslcdunFA019\n\r\t".utf8)
        for _ in 0..<2000 {
            let n = Int(rng.next() % 200)
            var bytes = Array(BlockFile.header.utf8) + [10]
            for _ in 0..<n {
                bytes.append(rng.next() % 4 == 0 ? UInt8(truncatingIfNeeded: rng.next()) : alphabet[Int(rng.next() % UInt64(alphabet.count))])
            }
            let (read, problems) = BlockFile.decode(String(decoding: bytes, as: UTF8.self))
            XCTAssertLessThanOrEqual(read.count + problems.count, n + 1)
        }
    }
}
