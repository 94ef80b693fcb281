import Foundation
import Matroska
import Testing
import Wire

@testable import Viewer

/// `ReplaySession` against files written by `MatroskaSegmentWriter`: a finished one (seeks by its cues) and one cut
/// short (no cues, no Duration: it plays and seeks by scanning), read in small windows so several are needed.
@Suite struct ReplaySessionTests {
    let start: UInt64 = 1_796_618_871_000_000
    let producer = ProducerID(hex: "1AAA99")!

    /// 30 s of 10 fps video: frame n is 64 bytes of n % 256, captured at n × 100 ms.
    func write(finished: Bool, cutAt cut: Int? = nil) throws -> (root: String, path: String) {
        var w = MatroskaSegmentWriter(tracks: [MatroskaTrack(number: 1, media: .mjpeg(JPEGDimensions(width: 8, height: 8)))], startMicros: start, app: "t")
        var file = w.header
        func apply(_ writes: [FileWrite]) {
            for x in writes {
                switch x {
                case .append(let b): file += b
                case .patch(let o, let b): file.replaceSubrange(o..<o + b.count, with: b)
                }
            }
        }
        for n in 0..<300 { apply(try w.append(track: 1, frame: [UInt8](repeating: UInt8(n % 256), count: 64), captureMicros: start + UInt64(n) * 100_000)) }
        if finished { apply(w.finish()) }
        if let cut { file = Array(file.prefix(cut)) }
        let root = NSTemporaryDirectory() + "replay-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: root + "/1AAA99", withIntermediateDirectories: true)
        let path = "1AAA99/20261207T044751Z.mkv"
        try Data(file).write(to: URL(fileURLWithPath: root + "/" + path))
        return (root, path)
    }

    var small: ReplaySession.Limits {
        var l = ReplaySession.Limits()
        l.window = 1024
        return l
    }

    /// Header fields of a replay message: block capture time (µs) and the payload's first byte.
    func decode(_ m: [UInt8]) -> (capture: UInt64, first: UInt8) {
        (m[13..<21].reduce(0) { $0 << 8 | UInt64($1) }, m[21])
    }

    /// Services the replay at `now` until nothing more comes (many turns: each reads one window at most).
    func drain(_ r: ReplaySession, now: Int64) -> [[UInt8]] {
        var out: [[UInt8]] = []
        for _ in 0..<400 {
            var budget = 1 << 20
            out += r.service(now: now, budget: &budget).messages.map(\.bytes)
        }
        return out
    }

    func seekShowsTheFrameAtTenSeconds(finished: Bool, cut: Int? = nil) throws {
        let (root, path) = try write(finished: finished, cutAt: cut)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let r = try ReplaySession(id: 1, root: root, path: path, producer: producer, now: 0, limits: small)
        #expect(r.durationMillis >= 25_000, "duration \(r.durationMillis)")
        r.seek(10_000, now: 1_000_000)
        let still = drain(r, now: 1_000_000)
        #expect(still.count == 1, "paused: one still")
        let s = try #require(still.first.map(decode))
        #expect(s.capture == start + 10_000_000 && s.first == 100, "the frame captured 10 s in")
        // Playing at 2× for 1 s of the client's clock: 2 s of the file, frames 101...120.
        r.setSpeed(2, now: 2_000_000)
        r.play(now: 2_000_000)
        let played = drain(r, now: 3_000_000).map(decode)
        #expect(played.map(\.first) == (101...120).map { UInt8($0) }, "\(played.map(\.first))")
        // Back to 5 s.
        r.seek(5000, now: 3_000_000)
        let back = drain(r, now: 3_000_000).map(decode)
        #expect(back.first?.capture == start + 5_000_000)
    }

    @Test func finishedFileSeeksByItsCues() throws { try seekShowsTheFrameAtTenSeconds(finished: true) }

    @Test func unfinishedFileCutShortPlaysAndSeeks() throws {
        let (root, path) = try write(finished: false)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let size = Int(try FileManager.default.attributesOfItem(atPath: root + "/" + path)[.size] as! UInt64)
        try seekShowsTheFrameAtTenSeconds(finished: false, cut: size - 30)  // the last block cut in two
    }

    @Test func endsAtTheEndOfAFinishedFile() throws {
        let (root, path) = try write(finished: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let r = try ReplaySession(id: 1, root: root, path: path, producer: producer, now: 0, limits: small)
        r.seek(29_000, now: 0)
        r.play(now: 0)
        let rest = drain(r, now: 5_000_000)
        #expect(rest.count == 10 && r.ended && r.state == "ended")
    }

    @Test func notARecordingIsRefused() throws {
        let root = NSTemporaryDirectory() + "replay-bad-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/1AAA99", withIntermediateDirectories: true)
        try Data("not matroska".utf8).write(to: URL(fileURLWithPath: root + "/1AAA99/20261207T044751Z.mkv"))
        #expect(throws: ReplayCommandError.self) { try ReplaySession(id: 1, root: root, path: "1AAA99/20261207T044751Z.mkv", producer: producer, now: 0) }
    }
}
