import XCTest

@testable import ProducerCore

final class PacerTests: XCTestCase {
    /// 12 fps over 10,000 frames: every frame due at start + n × 83,333.3 µs, rounded, so the rate never drifts.
    func testFramesAreDueAgainstAbsoluteTime() {
        var p = Pacer(rate: 12, start: 5_000)
        for n in 0..<10_000 {
            XCTAssertEqual(p.nextFrame, 5_000 + Int64((Double(n) * 1_000_000 / 12).rounded()))
            p.frameDone()
        }
        XCTAssertEqual(p.nextFrame - 5_000, 833_333_333, "10,000 frames take exactly 10,000/12 s")
    }

    func testASmallDelayIsCaughtUpAndALargeOneRestartsTheSchedule() {
        var p = Pacer(rate: 10, start: 0)
        p.frameDone()
        XCTAssertNil(p.resyncIfFarBehind(now: 100_000 + 900_000), "0.9 s behind: send, the schedule stands")
        XCTAssertEqual(p.nextFrame, 100_000)
        XCTAssertEqual(p.resyncIfFarBehind(now: 100_000 + 1_500_000), 1_500_000)
        XCTAssertEqual(p.nextFrame, 1_600_000, "the due frame is now, the next ones follow from it")
        p.frameDone()
        XCTAssertEqual(p.nextFrame, 1_700_000)
    }

    func testAudioIsDueEverySecondAndSkipsWhatIsLongPast() {
        var p = Pacer(rate: 30, start: 0)
        XCTAssertEqual(p.nextAudio, 0)
        p.audioDone(now: 0)
        XCTAssertEqual(p.nextAudio, 1_000_000)
        p.audioDone(now: 5_200_000)  // woke 4.2 s late
        XCTAssertEqual(p.nextAudio, 6_000_000, "the next chunk is the one of the coming second, not a burst")
    }

    func testStoppingPutsMediaFarAway() {
        var p = Pacer(rate: 30, start: 0)
        p.stopMedia(now: 10)
        XCTAssertGreaterThan(p.nextFrame, 1_000_000_000)
    }
}
