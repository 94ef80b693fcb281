import StreamHTTP
import Wire
import XCTest

final class StreamRouteTests: XCTestCase {
    let p = ProducerID(hex: "1AAA99")!

    func testTheURLsOfAProducer() {
        XCTAssertEqual(StreamRoute(path: "/streams/1AAA99.mjpg"), .mjpeg(p))
        XCTAssertEqual(StreamRoute(path: "/streams/1aaa99.MJPEG"), .mjpeg(p))
        XCTAssertEqual(StreamRoute(path: "/streams/1AAA99.jpg"), .snapshot(p))
        XCTAssertEqual(StreamRoute(path: "/streams/1AAA99.mp3"), .mp3(p))
        XCTAssertEqual(StreamRoute(path: "/streams/1AAA99.ogg"), .ogg(p))
        XCTAssertEqual(StreamRoute.ogg(p).stream, StreamID(rawValue: 0x1AAA_9903))
        XCTAssertEqual(StreamRoute(path: "/streams.m3u"), .playlist)
        XCTAssertEqual(StreamRoute(path: "/api/readers"), .readers)
        XCTAssertEqual(StreamRoute.mjpeg(p).stream, StreamID(rawValue: 0x1AAA_9901))
        XCTAssertEqual(StreamRoute.mp3(p).stream, StreamID(rawValue: 0x1AAA_9902))
    }

    func testAnythingElseIsNoRoute() {
        for path in [
            "/streams/1AAA9.mjpg", "/streams/1AAA999.mjpg", "/streams/ZZZZZZ.mjpg", "/streams/1AAA99", "/streams/1AAA99.mp4",
            "/streams/../1AAA99.mjpg", "/streams/1AAA99.mjpg/x", "/streams/", "/streams/.mjpg", "/streams/%31AAA99.mjpg",
        ] {
            XCTAssertNil(StreamRoute(path: path), path)
        }
        XCTAssertTrue(StreamRoute.isStreamPath("/streams/nope"))
    }

    func testThePlaylistListsVideoAndAudioWithTheRate() {
        let text = M3UPlaylist.render(
            [
                .init(producer: ProducerID(hex: "2BBB77")!, hasVideo: true, hasAudio: false, rate: 24),
                .init(producer: p, hasVideo: true, hasAudio: true, rate: 11.96),
            ], base: "http://127.0.0.1:8080")
        XCTAssertEqual(
            text,
            """
            #EXTM3U
            #EXTINF:-1,1AAA99 video 12.0 fps
            http://127.0.0.1:8080/streams/1AAA99.mjpg
            #EXTINF:-1,1AAA99 audio
            http://127.0.0.1:8080/streams/1AAA99.mp3
            #EXTINF:-1,2BBB77 video 24.0 fps
            http://127.0.0.1:8080/streams/2BBB77.mjpg

            """)
    }
}
