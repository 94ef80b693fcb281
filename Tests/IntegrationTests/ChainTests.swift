import Foundation
import XCTest

/// A chain of this cluster's own outputs and inputs (issue 20): the viewer's `/streams/1AAA99.mjpg` pulled by a
/// second producer as its live `FRAMES` source and published again under another id. The JPEGs pass through the
/// viewer, the HTTP source reader and the broker unchanged, so the re-published stream's subscribers must save
/// frames byte-identical to 1AAA99's sample files.
final class ChainTests: IntegrationTestCase {
    private let source = "1AAA99"
    private let chained = "4DDD44"

    func testAStreamPulledFromTheViewerIsPublishedAgainUnchanged() throws {
        let viewer = try startViewer([(source, 24)])
        let output = folder("out")
        let subscriber = try startClient(brokerPort: viewer.broker.port, subscribe: [chained], output: output, name: "subscriber")
        try waitForLine(subscriber, containing: "subscribed to \(chained)")

        // The second producer signs in with a key drawn from the same publish secret (the harness sets it for every
        // process) and takes its pictures from the viewer, as docs/SOURCES.md's recipe does. RATE is a cap only.
        let url = viewer.url("/streams/\(source).mjpg")
        let producer = try launch(
            "producer",
            ["--broker", viewer.broker.address, "--bind", try Ports.freeLocalAddress(), "--id", chained, "--frames", url, "--rate", "1000"],
            name: "producer-\(chained)")
        try waitForProducerOnline(chained, at: viewer.broker)
        try waitForLine(subscriber, containing: "stream \(chained)01 is online")
        try waitUntil("the subscriber saved 30 frames of \(chained)", timeout: 30) { savedCount(output, stream: "\(self.chained)01") >= 30 }

        let files = savedFiles(output, stream: "\(chained)01")
        let check = try SourceSet(folder: Paths.frames(source)).check(files)
        XCTAssertEqual(check.mismatched, [], "every frame of \(chained) is one of \(source)'s files, byte for byte")
        XCTAssertGreaterThanOrEqual(check.seen.count, 24, "live frames, not one repeated: \(check.seen.count) distinct of \(files.count)")
        XCTAssertTrue(producer.stderr.contains("FRAMES \(url): online"), "the producer names its source: \(producer.stderr)")
        // The viewer counts the second producer among the readers of 1AAA99's MJPEG.
        let streams = try readerFigures(viewer).streams
        XCTAssertGreaterThanOrEqual(streams["\(source)01"]?.opened ?? 0, 1, "the producer was a reader of \(source)'s MJPEG")
    }
}
