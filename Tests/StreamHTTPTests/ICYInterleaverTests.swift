import StreamHTTP
import XCTest

final class ICYInterleaverTests: XCTestCase {
    func testABlockIsLengthByteThenTitlePaddedToSixteen() {
        let b = ICYInterleaver.block(title: "1AAA99 live")
        let text = Array("StreamTitle='1AAA99 live';".utf8)  // 26 bytes: two units of 16
        XCTAssertEqual(b[0], 2)
        XCTAssertEqual(Array(b[1...26]), text)
        XCTAssertEqual(b.count, 1 + 32)
        XCTAssertTrue(b[27...].allSatisfy { $0 == 0 })
    }

    func testQuotesAndControlBytesCannotEndTheTitleEarly() {
        let b = ICYInterleaver.block(title: "a';StreamUrl='x\n")
        let text = String(decoding: b[1...].prefix { $0 != 0 }, as: UTF8.self)
        XCTAssertEqual(text, "StreamTitle='a ;StreamUrl= x ';")
    }

    func testAnOverlongTitleIsCutToFitOneBlock() {
        let b = ICYInterleaver.block(title: String(repeating: "x", count: 10_000))
        XCTAssertEqual(b[0], 255)
        XCTAssertEqual(b.count, 1 + 255 * 16)
    }

    /// A radio app strips a block after every `metaint` audio bytes; what remains must be the audio, unchanged.
    func testBlocksFallEveryMetaintBytesAcrossChunksAndTheAudioIsIntact() {
        var icy = ICYInterleaver(metaint: 100)
        let chunks: [[UInt8]] = [Array(0..<70), Array(70..<250), Array(0..<30), Array(0..<100)].map { $0.map { UInt8(truncatingIfNeeded: $0) } }
        var stream: [UInt8] = []
        for (i, c) in chunks.enumerated() { stream += icy.pieces(c[...], title: i < 2 ? "one" : "two").flatMap { Array($0) } }
        var audio: [UInt8] = []
        var titles: [String] = []
        var i = 0
        while i < stream.count {
            let n = min(100, stream.count - i)
            audio += stream[i..<i + n]
            i += n
            guard i < stream.count else { break }
            let len = Int(stream[i]) * 16
            if len > 0 { titles.append(String(decoding: stream[(i + 1)...(i + len)].prefix { $0 != 0 }, as: UTF8.self)) }
            i += 1 + len
        }
        XCTAssertEqual(audio, chunks.flatMap { $0 })
        // 380 audio bytes: blocks after 100, 200 and 300 (the title changed before the third).
        XCTAssertEqual(titles, ["StreamTitle='one';", "StreamTitle='two';"])
        XCTAssertEqual(icy.untilBlock, 20)
    }

    func testTheAudioIsNotCopied() {
        var icy = ICYInterleaver(metaint: 10)
        let chunk = [UInt8](repeating: 1, count: 25)
        let pieces = icy.pieces(chunk[...], title: "t")
        XCTAssertEqual(pieces.map(\.count).filter { $0 == 10 || $0 == 5 }.count, 3)
        let base = chunk.withUnsafeBufferPointer { $0.baseAddress }
        XCTAssertTrue(pieces[0].withUnsafeBufferPointer { $0.baseAddress == base })
    }
}
