import Foundation
import XCTest

@testable import Platform

final class FilesTests: XCTestCase {
    var dir = ""

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "files-tests-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try Files.makeDirectories(dir)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    func testReadsARegularFileWhole() throws {
        let path = dir + "/frame1.jpg"
        try Files.write(path, [1, 2, 3])
        XCTAssertEqual(try Files.read(path, limit: 10), [1, 2, 3])
        XCTAssertThrowsError(try Files.read(path, limit: 2), "over the limit")
    }

    /// A named pipe with no writer would block a plain open(2) forever; it is refused at once instead.
    func testAFIFOIsRefusedWithoutBlocking() throws {
        let path = dir + "/frame2.jpg"
        XCTAssertEqual(mkfifo(path, 0o644), 0)
        XCTAssertThrowsError(try Files.read(path, limit: 1 << 20)) { e in
            XCTAssertTrue("\(e)".contains("not a regular file"), "\(e)")
        }
    }

    func testADirectoryIsRefused() throws {
        XCTAssertThrowsError(try Files.read(dir, limit: 1 << 20))
    }
}
