import Foundation
import XCTest

/// The system recovers from a broker restart and repairs datagram loss.
final class RecoveryTests: IntegrationTestCase {
    /// SIGKILL the broker: the client notices, and once a new broker runs on the same port frames flow again
    /// without anyone typing anything.
    func testClientResumesAfterBrokerRestart() throws {
        let broker = try startBroker()
        try startProducer("1AAA99", brokerPort: broker.port, rate: 30)
        try waitForProducerOnline("1AAA99", at: broker)
        let out = folder("out")
        let client = try startClient(brokerPort: broker.port, subscribe: ["1AAA99"], output: out)
        try waitForLine(client, startingWith: "subscribed to 1AAA99")
        try waitUntil("the client saves 20 frames") { savedCount(out, stream: "1AAA9901") >= 20 }

        broker.process.expectAlive = false
        let killed = monotonicNow()
        broker.process.signal(SIGKILL)
        let noticed = try waitForLine(client, containing: "lost contact", timeout: 20)
        print("broker restart: the client noticed the loss \(String(format: "%.2f", monotonicNow() - killed)) s after SIGKILL")
        XCTAssertTrue(noticed.contains("127.0.0.1:\(broker.port)"), "the line should name the broker: \(noticed)")
        let before = savedCount(out, stream: "1AAA9901")
        let restarted = monotonicNow()

        let second = try startBroker(port: broker.port, name: "broker2")
        try waitForProducerOnline("1AAA99", at: second, timeout: 30)
        try waitUntil("the client saves 20 more frames from the new broker", timeout: 30) {
            savedCount(out, stream: "1AAA9901") > before + 20
        }
        print("broker restart: frames flowing again \(String(format: "%.2f", monotonicNow() - restarted)) s after the new broker started")
        let check = try SourceSet(folder: Paths.frames("1AAA99")).check(savedFiles(out, stream: "1AAA9901"))
        XCTAssertEqual(check.mismatched, [], "frames that match no source frame")
    }

    /// 10 % loss each way (plus duplicates and reordering): at least 99 % of 300 frames complete, all intact.
    func testLossTenPercentDeliversNinetyNinePercent() throws {
        let r = try runThreeHundredFrames(loss: 0.1)
        let ratio = Double(r.delivered) / 300
        print(
            "loss10 delivered ratio \(String(format: "%.4f", ratio)) (\(r.delivered)/300, \(r.dropped) dropped, "
                + "missing frame numbers \(r.missing))")
        XCTAssertGreaterThanOrEqual(ratio, 0.99, "delivered \(r.delivered) of 300 frames through 10 % loss; missing \(r.missing)")
    }

    /// No loss: all 300 frames.
    func testNoLossDeliversEveryFrame() throws {
        let r = try runThreeHundredFrames(loss: nil)
        print("loss0 delivered ratio \(String(format: "%.4f", Double(r.delivered) / 300)) (\(r.delivered)/300, \(r.dropped) dropped)")
        XCTAssertEqual(r.delivered, 300, "missing frame numbers \(r.missing)")
        XCTAssertEqual(r.dropped, 0)
    }

    struct Outcome {
        var delivered: Int
        var dropped: Int
        var missing: [UInt32]
    }

    /// Producer 1AAA99 sends 300 frames at 30 fps (through `lossy-relay` when `loss` is given); a client subscribed
    /// before the first frame saves them. Checks the client's summary against its files and the files against the
    /// sources; returns the summary's figures.
    func runThreeHundredFrames(loss: Double?) throws -> Outcome {
        let sources = try SourceSet(folder: Paths.frames("1AAA99"))
        let broker = try startBroker()
        var port = broker.port
        if let loss {
            let listen = try Ports.freeUDP()
            let relay = try launch(
                "lossy-relay",
                [
                    "--listen", "127.0.0.1:\(listen)", "--upstream", broker.address, "--loss", "\(loss)", "--duplicate", "0.01",
                    "--reorder", "0.02", "--seed", "20240601",
                ], name: "relay")
            try waitUntil("the relay runs", timeout: 20) { relay.stderr.contains("relaying") }
            port = listen
        }
        // The broker refuses subscriptions to producers it does not know yet, so the producer announces itself at
        // once but holds its first frame back `delay` seconds; the client subscribes in that window.
        let delay = loss == nil ? 3.0 : 5.0
        let producer = try startProducer(
            "1AAA99", brokerPort: port, rate: 30, audio: false, extra: ["--stop-after", "300", "--delay", "\(delay)"], expectAlive: false)
        try waitForProducerOnline("1AAA99", at: broker)
        let out = folder("out")
        let client = try startClient(brokerPort: port, subscribe: ["1AAA9901"], output: out)
        try waitForLine(client, startingWith: "subscribed to 1AAA9901", timeout: delay)
        let subscribedAfter = monotonicNow() - producer.startedAt
        guard subscribedAfter < delay else {
            throw HarnessFailure("setup too slow: subscribed \(subscribedAfter) s after the producer started, after its first frame")
        }
        XCTAssertEqual(savedCount(out, stream: "1AAA9901"), 0, "no frame should precede the subscription")

        let status = try waitForExit(producer, timeout: delay + 10 + 30)
        XCTAssertEqual(status, 0, "producer --stop-after 300 should exit 0")
        XCTAssertTrue(producer.stderr.contains("sent 300 frames"), "the producer should report 300 frames sent")
        try waitForQuiet(out, streams: ["1AAA9901"], quiet: 1, timeout: 15)
        try client.type("quit")
        XCTAssertEqual(try waitForExit(client, timeout: 15), 0, "client quit should exit 0")

        // summary 1AAA9901: N frames complete, D dropped, ...
        guard let line = client.stdoutLines.first(where: { $0.hasPrefix("summary 1AAA9901:") }) else {
            throw HarnessFailure("no `summary 1AAA9901:` line in the client's output\n\(client.logTail())")
        }
        let words = line.split(separator: " ")
        guard words.count > 6, let delivered = Int(words[2]), words[3] == "frames", let dropped = Int(words[5]),
            words[6].hasPrefix("dropped")
        else { throw HarnessFailure("cannot parse summary line: \(line)") }
        print("summary: \(line)")

        let files = savedFiles(out, stream: "1AAA9901")
        let check = sources.check(files)
        XCTAssertEqual(check.mismatched, [], "saved frames that match no source frame")
        XCTAssertEqual(files.count, delivered, "files saved vs frames the summary calls complete")
        XCTAssertLessThanOrEqual(delivered, 300, "more frames complete than the producer sent")
        let numbers = files.compactMap { savedName($0)?.frameNumber }
        XCTAssertEqual(Set(numbers).count, numbers.count, "a frame number saved twice")
        // The producer numbers a stream's frames 1, 2, 3, ...
        let present = Set(numbers)
        let missing = (UInt32(1)...300).filter { !present.contains($0) }
        let outside = present.filter { !(1...300).contains($0) }.sorted()
        XCTAssertEqual(outside, [], "frame numbers outside 1...300")
        return Outcome(delivered: delivered, dropped: dropped, missing: missing)
    }
}
