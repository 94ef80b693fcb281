import Config
import HTTP
import Media
import SimulationSupport
import Wire
import XCTest

@testable import ProducerCore

/// The pure parts of live sources: where they are, the rate cap, audio chunks, backoff, framing, announcing.
final class LiveSourceTests: XCTestCase {
    // MARK: Addresses

    private func address(_ text: String, folders: Set<String> = ["media"], files: Set<String> = ["fifo"]) throws(SettingsError) -> MediaSourceAddress
    {
        try MediaSourceAddress.parse(text, setting: "FRAMES", isDirectory: folders.contains, exists: { files.contains($0) || folders.contains($0) })
    }

    func testSourceAddressesAreRecognised() throws {
        XCTAssertEqual(try address("-"), .standardInput)
        XCTAssertEqual(try address(" media "), .folder("media"))
        XCTAssertEqual(try address("fifo"), .file("fifo"))
        XCTAssertEqual(try address("http://cam:8080/video.mjpg?x=1"), .http(try HTTPSourceURL.parse("http://cam:8080/video.mjpg?x=1").get()))
        XCTAssertFalse(MediaSourceAddress.folder("media").isLive)
        XCTAssertTrue(MediaSourceAddress.standardInput.isLive)
    }

    func testHTTPSIsRefusedWithAWayOut() {
        XCTAssertThrowsError(try address("https://cam/video.mjpg")) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("reverse proxy") && text.contains("ffmpeg"), text)
        }
        XCTAssertThrowsError(try address("rtsp://cam/stream"))
        XCTAssertThrowsError(try address("missing"))
    }

    func testHTTPURLsAreSplitForTheRequest() throws {
        let url = try HTTPSourceURL.parse("http://127.0.0.1:8080/streams/1AAA99.mjpg#top").get()
        XCTAssertEqual(url.hostPort, "127.0.0.1:8080")
        XCTAssertEqual(url.hostHeader, "127.0.0.1:8080")
        XCTAssertEqual(url.target, "/streams/1AAA99.mjpg")
        let bare = try HTTPSourceURL.parse("HTTP://radio.example?listen").get()
        XCTAssertEqual(bare.port, 80)
        XCTAssertEqual(bare.hostHeader, "radio.example")
        XCTAssertEqual(bare.target, "/?listen")
        let v6 = try HTTPSourceURL.parse("http://[::1]:9000/a").get()
        XCTAssertEqual(v6.host, "::1")
        XCTAssertEqual(v6.hostPort, "[::1]:9000")
        XCTAssertEqual(HTTPSourceURL.parse("http://user:pw@cam/"), .failure(.userInfo))
        XCTAssertEqual(HTTPSourceURL.parse("http://:80/"), .failure(.noHost))
        XCTAssertEqual(HTTPSourceURL.parse("http://cam:0/"), .failure(.badPort))
        XCTAssertEqual(HTTPSourceURL.parse("http://cam:99999/"), .failure(.badPort))
        XCTAssertEqual(HTTPSourceURL.parse("http://cam/a b"), .failure(.badCharacter))
    }

    func testRedirectsFollowPathsAndHTTPOnly() throws {
        let url = try HTTPSourceURL.parse("http://cam:8080/old").get()
        XCTAssertEqual(try url.following("/new?x").get().description, "http://cam:8080/new?x")
        XCTAssertEqual(try url.following("http://other/stream").get().description, "http://other/stream")
        XCTAssertEqual(url.following("https://other/stream"), .failure(.notHTTP))
        XCTAssertEqual(url.following("//other/x"), .failure(.notHTTP))
    }

    func testProducerEntriesNameTheirSourcesAfterAt() throws {
        let entries = try ProducerList.parse(
            "1AAA99:12@-,2BBB77@http://cam/video.mjpg@http://radio:8000/live,3CCC55", setting: "P", defaultRate: 30, defaultDelay: 0)
        XCTAssertEqual(entries.map(\.frames), ["-", "http://cam/video.mjpg", nil])
        XCTAssertEqual(entries.map(\.audio), [nil, "http://radio:8000/live", nil])
        XCTAssertEqual(entries[0].rate, 12)
        XCTAssertThrowsError(try ProducerList.parse("1AAA99@", setting: "P", defaultRate: 30, defaultDelay: 0))
        XCTAssertThrowsError(try ProducerList.parse("1AAA99@a@b@c", setting: "P", defaultRate: 30, defaultDelay: 0))
    }

    // MARK: Rate cap, chunks, backoff

    func testTheRateCapPassesJitterAndDropsTheExcessWhole() {
        var cap = RateCap(rate: 10)
        // 10 fps with ±30 ms of jitter: all pass.
        for n in 0..<100 { XCTAssertTrue(cap.admit(now: Int64(n) * 100_000 + (n % 2 == 0 ? 30_000 : -30_000) + 1_000_000), "frame \(n)") }
        // 40 fps for 10 s: a quarter passes (plus the burst).
        var fast = RateCap(rate: 10)
        for n in 0..<400 { _ = fast.admit(now: Int64(n) * 25_000) }
        XCTAssertEqual(fast.admitted, 100 + Int(fast.burst), accuracy: 2)
        // Frames a source wrote ahead arrive together: a quarter of a second's worth passes.
        var cap1000 = RateCap(rate: 1000)
        XCTAssertEqual((0..<300).filter { _ in cap1000.admit(now: 5) }.count, 250)
        XCTAssertEqual(fast.admitted + fast.dropped, 400)
    }

    func testAudioChunksAreWholeFramesOfAbout100ms() {
        var chunker = AudioChunker(maxBytes: 1 << 20)
        let frame = [UInt8](repeating: 1, count: 417)
        var chunks: [(bytes: [UInt8], captureTime: UInt64)] = []
        for n in 0..<40 {
            if let chunk = chunker.add(frame: frame, durationMicros: 26_122, arrival: UInt64(1000 + n)) { chunks.append(chunk) }
        }
        XCTAssertEqual(chunks.count, 10, "four frames (104 ms) a chunk")
        XCTAssertTrue(chunks.allSatisfy { $0.bytes.count == 4 * 417 })
        XCTAssertEqual(chunks.map(\.captureTime).prefix(2), [1000, 1004], "a chunk is stamped with its first frame's arrival")
        XCTAssertNil(chunker.flush())
        _ = chunker.add(frame: frame, durationMicros: 26_122, arrival: 5)
        XCTAssertEqual(chunker.flush()?.bytes.count, 417)
        var small = AudioChunker(maxBytes: 1000)
        XCTAssertNil(small.add(frame: frame, durationMicros: 26_122, arrival: 0))
        XCTAssertNil(small.add(frame: frame, durationMicros: 26_122, arrival: 0))
        XCTAssertEqual(small.add(frame: frame, durationMicros: 26_122, arrival: 0)?.bytes.count, 834, "sent early rather than over the limit")
    }

    func testBackoffDoublesToItsMaximumAndResets() {
        var backoff = RetryBackoff(initial: 100, maximum: 500)
        XCTAssertEqual((0..<5).map { _ in backoff.next() }, [100, 200, 400, 500, 500])
        backoff.reset()
        XCTAssertEqual(backoff.next(), 100)
    }

    func testTheMeasuredRateIsGivenOnceAfterTheWindow() {
        var meter = RateMeter()
        var rates: [Double] = []
        for n in 0..<100 { if let rate = meter.count(now: Int64(n) * 40_000) { rates.append(rate) } }
        XCTAssertEqual(rates.count, 1)
        XCTAssertEqual(rates.first ?? 0, 25, accuracy: 0.01)
        meter.restart()
        XCTAssertNil(meter.count(now: 10_000_000))
    }

    // MARK: Framing and content types

    func testMultipartBodiesAreFramedByTheirParts() {
        let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xDA, 0, 8, 1, 1, 0, 0, 63, 0, 0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD9]
        let part = Array("--frame\r\nContent-Type: image/jpeg\r\nContent-Length: \(jpeg.count)\r\n\r\n".utf8) + jpeg + Array("\r\n".utf8)
        let junk = Array("--frame\r\nContent-Length: 3\r\n\r\nabc\r\n".utf8)
        var framer = LiveFramer(media: .jpeg, boundary: "frame", maxFrameBytes: 1000)
        var frames: [LiveFramer.Frame] = []
        for (n, byte) in (part + junk + part).enumerated() { frames += framer.receive([byte][...], arrival: UInt64(n)) }
        XCTAssertEqual(frames.map(\.bytes), [jpeg, jpeg])
        XCTAssertEqual(framer.drops.garbageBytes, 3, "the part that is not a JPEG")
    }

    func testContentTypesDecideHowABodyIsRead() {
        func body(_ type: String, _ media: LiveFramer.Media) -> LiveFramer.Body {
            LiveFramer.body(of: HTTPResponseHead(status: 200, headers: HTTPHeaders([("Content-Type", type)])), media: media)
        }
        XCTAssertEqual(body("multipart/x-mixed-replace;boundary=--myboundary", .jpeg), .multipart(boundary: "myboundary"))
        XCTAssertEqual(body("image/jpeg", .jpeg), .raw)
        XCTAssertEqual(body("audio/mpeg", .mp3), .raw)
        if case .refused(let reason) = body("text/html", .jpeg) { XCTAssertTrue(reason.contains("text/html")) } else { XCTFail("text/html accepted") }
        if case .refused = body("multipart/x-mixed-replace", .jpeg) {} else { XCTFail("no boundary accepted") }
        if case .refused = body("audio/ogg", .mp3) {} else { XCTFail("ogg accepted as MP3") }
    }

    // MARK: Announcing

    func testAnnouncingFewerStreamsSendsAHelloOnTheSession() throws {
        let streams = [StreamDescriptor(index: 1, kind: .video, rateMilli: 12_000), StreamDescriptor(index: 2, kind: .audio, rateMilli: 10_000)]
        var p = ProducerSession(producer: testProducer, streams: streams, streamKey: testStreamKey(), seed: 3)
        p.announce(online: [2], now: 0)
        XCTAssertEqual(p.announced, [2])
        p.connect(now: 0)
        guard case .hello(let h)? = p.pollTransmit().flatMap({ decoded($0) }) else { return XCTFail("no HELLO") }
        XCTAssertEqual(h.streams, [streams[1]], "only the stream whose source delivers")
        let withCookie = p.receive(Message.cookie(nonce: h.nonce, token: 77, challenge: testChallenge).encode()[...], now: 0)
        guard case .hello(let h2)? = withCookie.first.flatMap({ decoded($0) }) else { return XCTFail("no HELLO with the cookie") }
        _ = p.receive(asBroker(.welcome(Welcome(nonce: h2.nonce, epoch: 1, heartbeatMillis: 500, leaseMisses: 6)), for: p.link)[...], now: 0)
        XCTAssertTrue(p.link.isConnected)
        p.announce(online: [1, 2], now: 10)
        guard case .hello(let h3)? = p.pollTransmit().flatMap({ decoded($0) }) else { return XCTFail("no HELLO for the new list") }
        XCTAssertEqual(h3.streams, streams)
        p.announce(online: [1, 2], now: 20)
        XCTAssertNil(p.pollTransmit(), "nothing changed, nothing sent")
        p.setRate(12_500, stream: 1, now: 30)
        XCTAssertEqual(p.rateMilli(1), 12_000, "within a tenth of the announced rate: not worth a HELLO")
        p.setRate(7_400, stream: 1, now: 40)
        XCTAssertEqual(p.link.streams.first?.rateMilli, 7_400, "the HELLO being retried carries the measured rate")
    }

    /// The list changed while a handshake was under way: its HELLO may be answered with the old list, so a HELLO
    /// with the new one follows the WELCOME.
    func testAnAnnouncementDuringTheHandshakeIsSentOnceConnected() throws {
        let streams = [StreamDescriptor(index: 1, kind: .video, rateMilli: 12_000)]
        var p = ProducerSession(producer: testProducer, streams: streams, streamKey: testStreamKey(), seed: 3)
        p.announce(online: [], now: 0)
        p.connect(now: 0)
        guard case .hello(let h)? = p.pollTransmit().flatMap({ decoded($0) }) else { return XCTFail("no HELLO") }
        let withCookie = p.receive(Message.cookie(nonce: h.nonce, token: 77, challenge: testChallenge).encode()[...], now: 0)
        guard case .hello(let h2)? = withCookie.first.flatMap({ decoded($0) }) else { return XCTFail("no HELLO with the cookie") }
        XCTAssertEqual(h2.streams, [])
        p.announce(online: [1], now: 1)
        XCTAssertNil(p.pollTransmit())
        let out = p.receive(asBroker(.welcome(Welcome(nonce: h2.nonce, epoch: 1, heartbeatMillis: 500, leaseMisses: 6)), for: p.link)[...], now: 2)
        guard case .hello(let h3)? = out.last.flatMap({ decoded($0) }) else { return XCTFail("no HELLO after the WELCOME") }
        XCTAssertEqual(h3.streams, streams)
    }
}
