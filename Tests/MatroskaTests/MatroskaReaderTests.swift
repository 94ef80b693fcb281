import XCTest

@testable import Matroska

final class MatroskaReaderTests: XCTestCase {
    let start: UInt64 = 1_700_000_000_000_000
    let tracks = [
        MatroskaTrack(number: 1, media: .mjpeg(JPEGDimensions(width: 320, height: 240))),
        MatroskaTrack(number: 2, media: .mp3(MP3StreamInfo(sampleRate: 44100, channels: 1))),
    ]

    /// 3.5 s of frames of varied sizes (video at 12 fps, audio every second); returns the file, what went in, and
    /// each cluster's offset.
    func file(finish: Bool) throws -> (bytes: [UInt8], frames: [(track: Int, millis: Int64, bytes: [UInt8])], clusters: [Int]) {
        var w = MatroskaSegmentWriter(tracks: tracks, startMicros: start, app: "t")
        var file = w.header
        var frames: [(track: Int, millis: Int64, bytes: [UInt8])] = []
        var clusters: [Int] = []
        for i in 0..<42 {
            let t = UInt64(i) * 83_333
            var items = [(1, t, [UInt8](repeating: UInt8(i), count: 100 + i * 37))]
            if i % 12 == 0 { items.append((2, t, [UInt8](repeating: 0xA0 + UInt8(i / 12), count: 300))) }
            for (track, t, bytes) in items {
                let before = w.clusterCount
                let writes = try w.append(track: track, frame: bytes, captureMicros: start + t)
                if w.clusterCount > before { clusters.append(file.count) }
                apply(writes, to: &file)
                frames.append((track, Int64((t + 500) / 1000), bytes))
            }
        }
        if finish { apply(w.finish(), to: &file) }
        return (file, frames, clusters)
    }

    func readAll(_ file: [UInt8], from start: Int, window: Int) -> [MatroskaReader.Block] {
        var position = MatroskaReader.Position(offset: start)
        var blocks: [MatroskaReader.Block] = []
        var size = window
        while !position.ended && position.offset < file.count {
            let end = min(file.count, position.offset + size)
            let (got, next) = MatroskaReader.blocks(Array(file[position.offset..<end]), from: position)
            blocks += got
            if next == position {
                guard end < file.count else { break }  // nothing more in reach: the file ends here
                size *= 2  // a block larger than the window
            }
            position = next
        }
        return blocks
    }

    func testHeaderCuesAndBlocksOfAFinishedFile() throws {
        let (file, frames, clusters) = try file(finish: true)
        let h = try XCTUnwrap(MatroskaReader.header(Array(file.prefix(4096))))
        XCTAssertEqual(h.tracks, [1: "V_MJPEG", 2: "A_MPEG/L3"])
        XCTAssertEqual(h.startMicros, start)
        XCTAssertEqual(h.durationMillis ?? 0, 3500, accuracy: 1)
        XCTAssertEqual(h.bodyStart, clusters.first)
        let cuesOffset = try XCTUnwrap(h.cuesOffset)
        let cues = try XCTUnwrap(MatroskaReader.cues(Array(file[cuesOffset...]), segmentDataStart: h.segmentDataStart))
        XCTAssertEqual(cues.map(\.clusterOffset), clusters)
        XCTAssertEqual(cues.map(\.timeMillis), [0, 1000, 2000, 3000])
        // Windows smaller than some blocks: reading carries on where the last whole block ended.
        for window in [1000, 4096, file.count] {
            let blocks = readAll(file, from: h.bodyStart!, window: window)
            XCTAssertEqual(blocks.count, frames.count, "window \(window)")
            for (b, f) in zip(blocks, frames) {
                XCTAssertEqual(b.track, f.track)
                XCTAssertEqual(b.timeMillis, f.millis)
                XCTAssertTrue(b.keyframe)
                XCTAssertEqual(Array(file[b.data]), f.bytes)
            }
        }
        // Seeking: from the cue of 2 s on, the blocks start at 2 s.
        XCTAssertEqual(readAll(file, from: cues[2].clusterOffset, window: 4096).first?.timeMillis, 2000)
    }

    func testAnUnfinishedFileCutMidBlockGivesItsWholeBlocks() throws {
        let (file, frames, clusters) = try file(finish: false)
        let h = try XCTUnwrap(MatroskaReader.header(Array(file.prefix(4096))))
        XCTAssertNil(h.cuesOffset)
        XCTAssertNil(h.durationMillis)
        let cut = Array(file.prefix(clusters[2] + 200))
        let blocks = readAll(cut, from: h.bodyStart!, window: 4096)
        XCTAssertEqual(blocks.count, frames.filter { $0.millis < 2000 }.count, "two whole clusters; the third's first block is cut")
        XCTAssertEqual(blocks.last.map { Array(cut[$0.data]) }, frames.last { $0.millis < 2000 }?.bytes)
    }

    func testGarbageNeverTraps() throws {
        let (file, _, _) = try file(finish: true)
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<300 {
            var bad = file
            for _ in 0..<20 {
                seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                bad[Int(seed >> 33) % bad.count] = UInt8(truncatingIfNeeded: seed >> 17)
            }
            let h = MatroskaReader.header(Array(bad.prefix(4096)))
            _ = readAll(bad, from: h?.bodyStart ?? 0, window: 3000)
            if let c = h?.cuesOffset, c < bad.count { _ = MatroskaReader.cues(Array(bad[c...]), segmentDataStart: h!.segmentDataStart) }
        }
        XCTAssertNil(MatroskaReader.header([]))
        XCTAssertEqual(MatroskaReader.blocks([], from: .init(offset: 0)).blocks, [])
    }
}
