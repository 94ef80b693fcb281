import Testing
import Wire

@testable import Viewer

@Suite struct ReplayTests {
    @Test func clockPacesAtOneAndTwoTimes() {
        var c = ReplayClock(now: 1_000_000)
        #expect(c.position(now: 5_000_000) == 0, "paused until played")
        c.play(now: 1_000_000)
        #expect(c.position(now: 2_000_000) == 1000)
        #expect(c.time(of: 3000) == 4_000_000)
        c.setSpeed(2, now: 2_000_000)
        #expect(c.position(now: 3_000_000) == 3000, "2×: two seconds of file per second")
        #expect(c.time(of: 5000) == 4_000_000)
        c.pause(now: 3_000_000)
        #expect(c.position(now: 9_000_000) == 3000 && c.time(of: 4000) == nil)
        c.seek(10_000, now: 9_000_000)
        #expect(c.position(now: 9_500_000) == 10_000)
        c.play(now: 10_000_000)
        #expect(c.position(now: 10_500_000) == 11_000)
    }

    @Test func commandsAreChecked() {
        #expect(ReplayCommand.parse("subscribe 1AAA99") == nil)
        #expect(ReplayCommand.parse("replay open 1AAA99/20261207T035800Z.mkv") == .success(.open(producer: "1AAA99", file: "20261207T035800Z.mkv")))
        #expect(ReplayCommand.parse("replay 2 seek 10000") == .success(.seek(2, millis: 10_000)))
        #expect(ReplayCommand.parse("replay 2 pause") == .success(.pause(2)))
        #expect(ReplayCommand.parse("replay 2 play") == .success(.play(2)))
        #expect(ReplayCommand.parse("replay 2 speed 2") == .success(.speed(2, 2)))
        #expect(ReplayCommand.parse("replay 2 close") == .success(.close(2)))
        for bad in [
            "replay", "replay open", "replay open a/b/c", "replay 2 speed 3", "replay 2 seek -5", "replay 2 seek x", "replay 0 play", "replay -1 play",
            "replay 2 seek 99999999999999999999", "replay 9999999999 play", "replay 2 jump", "replay 2 play now",
        ] {
            guard case .failure = ReplayCommand.parse(bad) else {
                Issue.record("\(bad) accepted")
                continue
            }
        }
    }

    @Test func replayMediaHeader() {
        let s = StreamID(producer: ProducerID(hex: "1AAA99")!, kind: .video)
        let m = ViewerMessage.replayMedia(replay: 3, stream: s, index: 0x0102_0304, captureMicros: 0x0011_2233_4455_6677, bytes: [0xFF, 0xD8][...])
        #expect(m.count == ViewerMessage.replayHeaderBytes + 2)
        #expect(Array(m[0..<ViewerMessage.replayHeaderBytes]) == [2, 0, 0, 0, 3, 0x1A, 0xAA, 0x99, 0x01, 1, 2, 3, 4, 0, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77])
        #expect(Array(m.suffix(2)) == [0xFF, 0xD8])
    }

    @Test func replayStateJSON() {
        let j = ViewerMessage.replay(id: 1, path: "1AAA99/x.mkv", startMicros: 5, durationMillis: 20_000, positionMillis: 10_000, state: "paused", speed: 2)
        #expect(j == "{\"type\":\"replay\",\"id\":1,\"path\":\"1AAA99/x.mkv\",\"start\":5,\"duration\":20000,\"position\":10000,\"state\":\"paused\",\"speed\":2}")
    }
}
