import Foundation
import Platform
import XCTest

final class LineReaderTests: XCTestCase {
    func testEmptyLinesAreLinesAndCRLFIsOneEndEvenAcrossReads() throws {
        let pipe = Pipe()
        var reader = LineReader(fd: pipe.fileHandleForReading.fileDescriptor)
        let w = pipe.fileHandleForWriting
        try w.write(contentsOf: Data("list\r\n\nstats\r".utf8))
        XCTAssertEqual(reader.readLines(), ["list", "", "stats"])
        try w.write(contentsOf: Data("\nquit\n".utf8))
        XCTAssertEqual(reader.readLines(), ["quit"], "the LF after a CR that ended the last read is no empty line")
        XCTAssertFalse(reader.atEnd)
        try w.write(contentsOf: Data("tail".utf8))
        try w.close()
        XCTAssertEqual(reader.readLines(), ["tail"])
        XCTAssertTrue(reader.atEnd)
    }
}
