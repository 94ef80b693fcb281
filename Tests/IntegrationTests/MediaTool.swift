import Foundation
import XCTest

/// ffprobe and ffmpeg, run to completion with their output captured (the recording tests read files back with them).
enum MediaTool {
    static func path(_ name: String) -> String? {
        for d in ["/usr/bin", "/usr/local/bin", "/bin"] where FileManager.default.isExecutableFile(atPath: "\(d)/\(name)") { return "\(d)/\(name)" }
        return nil
    }

    /// Throws XCTSkip when ffmpeg is missing outside CI; in CI (.ci/run installs it) a missing tool is a failure.
    static func require() throws {
        guard path("ffprobe") == nil || path("ffmpeg") == nil else { return }
        let why = "ffmpeg/ffprobe not installed (apt-get install -y ffmpeg); the recording tests read files back with them"
        if ProcessInfo.processInfo.environment["CI"] == "true" { throw HarnessFailure(why) }
        throw XCTSkip(why)
    }

    /// Runs `tool` with `arguments`; returns its status, stdout and stderr.
    static func run(_ tool: String, _ arguments: [String], in dir: URL) throws -> (status: Int32, out: String, err: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path(tool) ?? "/usr/bin/\(tool)")
        p.arguments = arguments
        let id = UUID().uuidString.prefix(8)
        let out = dir.appendingPathComponent("\(tool)-\(id).out")
        let err = dir.appendingPathComponent("\(tool)-\(id).err")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        p.standardOutput = try FileHandle(forWritingTo: out)
        p.standardError = try FileHandle(forWritingTo: err)
        p.standardInput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        return (p.terminationStatus, (try? String(contentsOf: out, encoding: .utf8)) ?? "", (try? String(contentsOf: err, encoding: .utf8)) ?? "")
    }

    /// The codec names of a file's streams and its duration in seconds (nil when ffprobe gives none).
    static func probe(_ file: URL, in dir: URL) throws -> (codecs: [String], duration: Double?, err: String) {
        let r = try run("ffprobe", ["-v", "error", "-show_entries", "stream=codec_name:format=duration", "-of", "csv=p=0", file.path], in: dir)
        let lines = r.out.split(separator: "\n").map(String.init)
        guard r.status == 0 else { throw HarnessFailure("ffprobe \(file.path) failed: \(r.err)") }
        return (Array(lines.dropLast()), Double(lines.last ?? ""), r.err)
    }

    /// How many video packets ffprobe reads from a file.
    static func videoPackets(_ file: URL, in dir: URL) throws -> Int {
        let r = try run(
            "ffprobe",
            ["-v", "error", "-select_streams", "v", "-count_packets", "-show_entries", "stream=nb_read_packets", "-of", "csv=p=0", file.path],
            in: dir)
        guard r.status == 0, let n = Int(r.out.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw HarnessFailure("ffprobe cannot count the packets of \(file.path): \(r.err)")
        }
        return n
    }
}
