import Foundation
import XCTest

/// Frames reach the clients that asked for them, byte for byte, and only those.
final class DeliveryTests: IntegrationTestCase {
    /// A full loop of the producer's 60 frames arrives, every saved file identical to a source file; audio too.
    func testSavedFramesAreByteIdenticalToSources() throws {
        let video = try SourceSet(folder: Paths.frames("1AAA99"))
        let audio = try SourceSet(folder: Paths.audio("1AAA99"))
        XCTAssertEqual(video.count, 60, "the sample media should hold 60 distinct frames")

        let broker = try startBroker()
        try startProducer("1AAA99", brokerPort: broker.port, rate: 30)
        try waitForProducerOnline("1AAA99", at: broker)
        let out = folder("out")
        let client = try startClient(brokerPort: broker.port, subscribe: ["1AAA99"], output: out)
        try waitForLine(client, startingWith: "subscribed to 1AAA99")

        // Check files as they arrive; stop at the first mismatch, finish when all 60 sources were seen.
        var checked = Set<String>()
        var seen = Set<String>()
        try waitUntil("a full loop of 60 distinct frames and 2 audio chunks is saved", timeout: 30) {
            for f in savedFiles(out, stream: "1AAA9901") where !checked.contains(f.path) {
                checked.insert(f.path)
                guard let s = video.match(f) else { throw HarnessFailure("\(f.lastPathComponent) matches no source frame") }
                seen.insert(s)
            }
            return checked.count >= 60 && seen.count == 60 && savedCount(out, stream: "1AAA9902") >= 2
        }

        let frames = savedFiles(out, stream: "1AAA9901")
        let v = video.check(frames)
        XCTAssertEqual(v.mismatched, [], "saved frames that match no source frame")
        XCTAssertEqual(v.seen.count, 60, "every source frame should have been seen")
        let chunks = savedFiles(out, stream: "1AAA9902")
        let a = audio.check(chunks)
        XCTAssertGreaterThanOrEqual(chunks.count, 2)
        XCTAssertEqual(a.mismatched, [], "saved audio chunks that match no source chunk")
        XCTAssertEqual(streamFolders(out), ["1AAA9901", "1AAA9902"])

        // Names are <capture time>-<frame number>.jpg, numbers distinct, and the number and the source file
        // advance together (frame n+1 is the source after frame n's, looping at 60).
        var offsets = Set<Int>()
        var numbers = Set<UInt32>()
        for f in frames {
            guard let n = savedName(f), let s = video.match(f).flatMap(sourceNumber) else {
                XCTFail("unexpected saved name \(f.lastPathComponent)")
                continue
            }
            XCTAssertTrue(numbers.insert(n.frameNumber).inserted, "frame number \(n.frameNumber) saved twice")
            offsets.insert(((Int(n.frameNumber) - s) % 60 + 60) % 60)
        }
        XCTAssertEqual(offsets.count, 1, "frame numbers and source files should advance together; offsets seen: \(offsets.sorted())")
    }

    /// After `unsubscribe`, not one more file is saved, while another client proves the producer keeps sending.
    func testUnsubscribeStopsDelivery() throws {
        let broker = try startBroker()
        try startProducer("1AAA99", brokerPort: broker.port, rate: 30)
        try waitForProducerOnline("1AAA99", at: broker)
        let outA = folder("a")
        let outB = folder("b")
        let a = try startClient(brokerPort: broker.port, subscribe: ["1AAA99"], output: outA, name: "clientA")
        let b = try startClient(brokerPort: broker.port, subscribe: ["1AAA9901"], output: outB, name: "clientB")
        try waitForLine(a, startingWith: "subscribed to 1AAA99")
        try waitForLine(b, startingWith: "subscribed to 1AAA9901")
        try waitUntil("client A saves 10 frames") { savedCount(outA, stream: "1AAA9901") >= 10 }

        try a.type("unsubscribe 1AAA99")
        try waitForLine(a, containing: "unsubscribed from 1AAA99")
        // Everything received before the acknowledgement has been saved by the time the line is printed.
        let aVideo = savedCount(outA, stream: "1AAA9901")
        let aAudio = savedCount(outA, stream: "1AAA9902")
        let bBefore = savedCount(outB, stream: "1AAA9901")
        try waitUntil("client B saves 30 more frames") { savedCount(outB, stream: "1AAA9901") >= bBefore + 30 }
        XCTAssertEqual(savedCount(outA, stream: "1AAA9901"), aVideo, "client A saved video frames after `unsubscribed from 1AAA99`")
        XCTAssertEqual(savedCount(outA, stream: "1AAA9902"), aAudio, "client A saved audio chunks after `unsubscribed from 1AAA99`")

        // Subscribing again resumes delivery.
        try a.type("subscribe 1AAA99")
        try waitForLine(a, startingWith: "subscribed to 1AAA99", count: 2)
        try waitUntil("client A saves 10 frames after subscribing again") { savedCount(outA, stream: "1AAA9901") >= aVideo + 10 }
    }

    /// Two clients with different subscriptions each get only their own streams.
    func testClientsGetOnlyTheirOwnStreams() throws {
        let broker = try startBroker()
        try launch(
            "producer", ["--broker", broker.address], name: "producers",
            environment: ["PRODUCERS": "1AAA99:30,2BBB77:24", "MEDIA_ROOT": Paths.media.path])
        try waitForProducerOnline("1AAA99", at: broker)
        try waitForProducerOnline("2BBB77", at: broker)
        let outA = folder("a")
        let outB = folder("b")
        let a = try startClient(brokerPort: broker.port, subscribe: ["1AAA99"], output: outA, name: "clientA")
        let b = try startClient(brokerPort: broker.port, subscribe: ["2BBB7701"], output: outB, name: "clientB")
        try waitForLine(a, startingWith: "subscribed to 1AAA99")
        try waitForLine(b, startingWith: "subscribed to 2BBB7701")
        // Long enough (2 s of 2BBB77 at 24 fps) that 2BBB77's audio, 1 chunk a second, would have reached B.
        try waitUntil("A saves 30 frames and 2 audio chunks, B saves 48 frames") {
            savedCount(outA, stream: "1AAA9901") >= 30 && savedCount(outA, stream: "1AAA9902") >= 2
                && savedCount(outB, stream: "2BBB7701") >= 48
        }
        XCTAssertEqual(streamFolders(outA), ["1AAA9901", "1AAA9902"], "client A subscribed to 1AAA99 only")
        XCTAssertEqual(streamFolders(outB), ["2BBB7701"], "client B subscribed to 2BBB7701 only")
        let v1 = try SourceSet(folder: Paths.frames("1AAA99")).check(savedFiles(outA, stream: "1AAA9901"))
        let a1 = try SourceSet(folder: Paths.audio("1AAA99")).check(savedFiles(outA, stream: "1AAA9902"))
        let v2 = try SourceSet(folder: Paths.frames("2BBB77")).check(savedFiles(outB, stream: "2BBB7701"))
        XCTAssertEqual(v1.mismatched, [], "client A's frames should all be 1AAA99's")
        XCTAssertEqual(a1.mismatched, [], "client A's audio should all be 1AAA99's")
        XCTAssertEqual(v2.mismatched, [], "client B's frames should all be 2BBB77's")
    }
}
