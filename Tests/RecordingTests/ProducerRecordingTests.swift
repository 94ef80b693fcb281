import Matroska
import Wire
import XCTest

@testable import Recording

final class ProducerRecordingTests: XCTestCase {
    let p = ProducerID(hex: "1AAA99")!
    let t0: UInt64 = 1_700_000_000_000_000
    // A JPEG with only SOI and a SOF0 of 320x240; an MP3 header of 44.1 kHz mono.
    let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x11, 0x08, 0x00, 0xF0, 0x01, 0x40, 0x03]
    let mp3: [UInt8] = [0xFF, 0xFB, 0x50, 0xC4, 0, 0, 0, 0]

    func opens(_ a: [RecordingAction]) -> [UInt64] {
        a.compactMap { if case .open(let s, _) = $0 { return s } else { return nil } }
    }

    func testWaitsForBothMediaThenStartsAtTheEarliestCapture() {
        var r = ProducerRecording(producer: p, segmentMicros: 600_000_000)
        XCTAssertEqual(r.add(.video, jpeg, captureMicros: t0 + 10_000), [])
        XCTAssertEqual(r.add(.audio, mp3, captureMicros: t0), [], "both seen, but not yet reorderMicros of capture time")
        let a = r.add(.video, jpeg, captureMicros: t0 + 600_000)
        XCTAssertEqual(opens(a), [t0])
        XCTAssertEqual(r.recorded, [.video: 2, .audio: 1])
        XCTAssertTrue(r.isOpen)
    }

    func testStartsWithoutTheOtherMediumAfterTrackWait() {
        var r = ProducerRecording(producer: p, segmentMicros: 600_000_000)
        for i in 0..<24 { XCTAssertEqual(r.add(.video, jpeg, captureMicros: t0 + UInt64(i) * 83_333), []) }
        let a = r.add(.video, jpeg, captureMicros: t0 + 2_000_000)
        XCTAssertEqual(opens(a), [t0])
        // Audio showing up later starts a new segment that has an audio track.
        XCTAssertEqual(r.add(.audio, mp3, captureMicros: t0 + 2_100_000).last, .close)
        let b = r.add(.video, jpeg, captureMicros: t0 + 2_700_000)
        XCTAssertEqual(opens(b), [t0 + 2_100_000])
    }

    func testRotatesAfterTheSegmentLength() {
        var r = ProducerRecording(producer: p, segmentMicros: 5_000_000)
        var starts: [UInt64] = []
        for i in 0..<130 {
            let t = t0 + UInt64(i) * 100_000
            starts += opens(r.add(.video, jpeg, captureMicros: t))
            starts += opens(r.add(.audio, mp3, captureMicros: t))
        }
        XCTAssertEqual(starts, [t0, t0 + 5_000_000, t0 + 10_000_000])
        XCTAssertEqual(r.close().last, .close)
        XCTAssertFalse(r.isOpen)
        XCTAssertEqual(r.recorded, [.video: 130, .audio: 130])
    }

    func testAClockGoingBackStartsANewSegmentAndSlightlyLateFramesAreDropped() {
        var r = ProducerRecording(producer: p, segmentMicros: 600_000_000)
        var starts: [UInt64] = []
        for i in 0..<10 { starts += opens(r.add(.video, jpeg, captureMicros: t0 + UInt64(i) * 100_000)) }
        starts += opens(r.add(.audio, mp3, captureMicros: t0 + 1_000_000))
        starts += opens(r.add(.video, jpeg, captureMicros: t0 + 1_600_000))
        XCTAssertEqual(starts, [t0])
        XCTAssertEqual(r.add(.video, jpeg, captureMicros: t0 - 1_000_000), [], "1 s before the start: late, dropped")
        XCTAssertEqual(r.dropped[.video], 1)
        let back = r.add(.video, jpeg, captureMicros: t0 - 60_000_000)
        XCTAssertEqual(back.last, .close, "a minute back: the producer restarted; this segment ends")
    }

    func testUnreadableFirstFramesHaveNoTrackAndAreCounted() {
        var r = ProducerRecording(producer: p, segmentMicros: 600_000_000)
        _ = r.add(.video, [1, 2, 3], captureMicros: t0)
        let a = r.add(.audio, mp3, captureMicros: t0 + 2_000_000)
        XCTAssertEqual(opens(a), [t0])
        XCTAssertEqual(r.dropped[.video], 1)
        XCTAssertEqual(r.recorded[.audio], 1)
    }
}

extension ProducerRecordingTests {
    /// One-second MP3 chunks half a second off the video's phase: the video decides where a segment ends, so
    /// each file holds 20 s of video exactly and the next begins with the next video frame.
    func testTheVideoIsTheTimelineOfASegment() {
        var r = ProducerRecording(producer: p, segmentMicros: 20_000_000)
        var starts: [UInt64] = []
        for i in 0..<(12 * 45) {
            let t = t0 + UInt64(i) * 83_333
            starts += opens(r.add(.video, jpeg, captureMicros: t))
            if i % 12 == 6 { starts += opens(r.add(.audio, mp3, captureMicros: t)) }
        }
        XCTAssertEqual(starts, [t0, t0 + 240 * 83_333, t0 + 480 * 83_333])
    }
}
