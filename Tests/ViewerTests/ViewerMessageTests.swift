import ClientCore
import Viewer
import XCTest

@testable import Wire

final class ViewerMessageTests: XCTestCase {
    func testMediaHeaderIsBigEndianAndBytesUntouched() {
        let f = CompleteFrame(
            stream: StreamID(rawValue: 0x1AAA_9901), number: 0x0102_0304, captureTime: 0x0001_7000_0000_0042, bytes: [9, 8, 7], firstSeen: 0)
        XCTAssertEqual(
            ViewerMessage.media(f),
            [1, 0x1A, 0xAA, 0x99, 0x01, 1, 2, 3, 4, 0x00, 0x01, 0x70, 0x00, 0x00, 0x00, 0x00, 0x42, 9, 8, 7])
        XCTAssertEqual(ViewerMessage.media(f).count, ViewerMessage.mediaHeaderBytes + 3)
    }

    func testJSONTextsAreEscapedAndShaped() {
        XCTAssertEqual(ViewerMessage.quote("a\"b\\c\n\u{1}é"), #""a\"b\\c\n\u0001é""#)
        XCTAssertEqual(ViewerMessage.say("hi \"there\""), #"{"type":"say","text":"hi \"there\""}"#)
        let s = ViewerMessage.state(
            broker: "127.0.0.1:5000", connected: true, subscriptions: [StreamID(selector: "2BBB77")!, StreamID(selector: "1AAA9901")!])
        XCTAssertEqual(s, #"{"type":"state","broker":"127.0.0.1:5000","connected":true,"subscriptions":["1AAA9901","2BBB77"]}"#)
        let l = ViewerMessage.list(
            broker: "b", [ListEntry(stream: StreamID(rawValue: 0x1AAA_9901), state: .online, rateMilli: 12_000, subscribers: 2, origin: 0x94_D577)])
        XCTAssertEqual(
            l, #"{"type":"list","broker":"b","streams":[{"id":"1AAA9901","kind":"video","fps":12.0,"state":"online","subscribers":2,"origin":"94D577"}]}"#)
        var stats = ReceiveStats()
        stats.frames.delivered = 5
        stats.loss.lost = 1
        let fig = ViewerMessage.figures([(StreamID(rawValue: 0x1AAA_9901), stats, tabDropped: 3)])
        XCTAssertEqual(fig, #"{"type":"figures","streams":{"1AAA9901":{"complete":5,"dropped":0,"lost":1,"recovered":0,"tabDropped":3}}}"#)
    }
}
