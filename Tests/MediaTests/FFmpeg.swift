import Foundation
import XCTest

/// Runs ffmpeg and ffprobe for the tests that check the framers against real streams. Missing tools skip the test
/// with a message, except under CI (`CI=true`), where .ci/run installs them and a missing tool fails.
enum FFmpeg {
    /// The path of `tool` on PATH, or a skip (a failure under CI).
    static func require(_ tool: String) throws -> String {
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
            let path = "\(directory)/\(tool)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        if ProcessInfo.processInfo.environment["CI"] == "true" {
            XCTFail("\(tool) is missing under CI: .ci/run installs it (apt-get install -y -qq ffmpeg)")
        }
        throw XCTSkip("\(tool) not found: apt-get install -y -qq ffmpeg to run this test")
    }

    /// Runs `tool` with `arguments` and returns its standard output; a non-zero exit fails the test.
    static func run(_ tool: String, _ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try require(tool))
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "\(tool) \(arguments.joined(separator: " "))", file: file, line: line)
        return [UInt8](data)
    }

    /// A fresh temporary directory, removed when the test ends.
    static func directory(for test: XCTestCase) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("media-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }
}
