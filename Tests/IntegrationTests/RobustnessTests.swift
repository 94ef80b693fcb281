import Foundation
import Wire
import XCTest

/// Garbage on the wire and bad settings are refused without harm.
final class RobustnessTests: IntegrationTestCase {
    /// 20,000 random and corrupted datagrams at the broker while a client receives: the broker survives, counts
    /// them as malformed, forwards nothing forged, and the client keeps receiving.
    func testMalformedFloodIsSurvivedAndCounted() throws {
        let sources = try SourceSet(folder: Paths.frames("1AAA99"))
        let broker = try startBroker(metrics: true)
        try startProducer("1AAA99", brokerPort: broker.port, rate: 30, audio: false)
        try waitForProducerOnline("1AAA99", at: broker)
        let out = folder("out")
        let client = try startClient(brokerPort: broker.port, subscribe: ["1AAA9901"], output: out)
        try waitForLine(client, startingWith: "subscribed to 1AAA9901")
        try waitUntil("the client saves 10 frames") { savedCount(out, stream: "1AAA9901") >= 10 }

        let flood = try RawUDPSender()
        var rng = SplitMix64(seed: 0x5EED_F100D)
        let templates = Self.validDatagrams()
        var sent = 0
        for i in 0..<20_000 {
            var d: [UInt8]
            switch i % 5 {
            case 0:  // random bytes, 0...1500 long (some over the 1400-byte limit)
                d = (0..<Int(rng.next() % 1501)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            case 1:  // a valid datagram cut short
                let t = templates[Int(rng.next() % UInt64(templates.count))]
                d = Array(t.prefix(Int(rng.next() % UInt64(t.count))))
            case 2:  // a valid datagram with 1...4 bytes changed
                d = templates[Int(rng.next() % UInt64(templates.count))]
                for _ in 0...(rng.next() % 4) { d[Int(rng.next() % UInt64(d.count))] = UInt8(truncatingIfNeeded: rng.next()) }
            case 3:  // the right magic and version, any type, random body
                d = [0x56, 0x42, 1, UInt8(truncatingIfNeeded: rng.next())]
                d += (0..<Int(rng.next() % 100)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            default:  // a valid datagram with random bytes appended
                d = templates[Int(rng.next() % UInt64(templates.count))]
                d += (0..<Int(1 + rng.next() % 64)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            }
            if flood.send(d, to: broker.port) { sent += 1 }
        }
        XCTAssertGreaterThan(sent, 19_000, "the test could not send its flood")
        XCTAssertTrue(broker.process.isRunning, "the broker died during the flood\n\(broker.process.logTail())")

        // The client keeps receiving after the flood.
        let after = savedCount(out, stream: "1AAA9901")
        try waitUntil("the client saves 30 more frames after the flood") { savedCount(out, stream: "1AAA9901") >= after + 30 }
        XCTAssertTrue(broker.process.isRunning, "the broker died after the flood")

        let metrics = try httpGet(port: broker.metricsPort!, path: "/metrics")
        XCTAssertEqual(metrics.status, 200)
        var malformed: [String: Double] = [:]
        for line in metrics.body.split(separator: "\n") where line.hasPrefix("broker_drops_total{reason=\"malformed_") {
            let parts = line.split(separator: " ")
            if parts.count == 2, let v = Double(parts[1]) { malformed[String(parts[0])] = v }
        }
        let total = malformed.values.reduce(0, +)
        let byReason = malformed.sorted { $0.key < $1.key }.map { "\($0.key) \(Int($0.value))" }
        print("flood: \(sent) datagrams sent, \(Int(total)) counted malformed: \(byReason)")
        XCTAssertGreaterThan(total, 0, "no broker_drops_total{reason=\"malformed_...\"} counter above 0:\n\(metrics.body)")
        XCTAssertGreaterThanOrEqual(malformed.filter { $0.value > 0 }.count, 3, "expected several malformed reasons: \(malformed)")
        let health = try httpGet(port: broker.metricsPort!, path: "/healthz")
        XCTAssertEqual(health.status, 200)

        // Nothing forged reached the client: every saved frame is still one of the producer's.
        let check = sources.check(savedFiles(out, stream: "1AAA9901"))
        XCTAssertEqual(check.mismatched, [], "saved frames that match no source frame (forged data forwarded?)")
        XCTAssertEqual(streamFolders(out), ["1AAA9901"])
    }

    /// One valid datagram of each kind a peer sends, as templates for corruption. The DATA ones claim to be
    /// 1AAA99's video, which this flood socket does not own.
    static func validDatagrams() -> [[UInt8]] {
        let p = ProducerID(hex: "1AAA99")!
        let video = StreamID(producer: p, kind: .video)
        let payload = [UInt8](repeating: 0xAB, count: WireConstants.chunkPayload)
        var out: [[UInt8]] = [
            Message.hello(
                Hello(
                    token: 0, nonce: 7, role: .producer, producer: ProducerID(hex: "ABCDEF")!,
                    streams: [StreamDescriptor(index: 1, kind: .video, rateMilli: 30_000)])
            ).encode(),
            Message.hello(Hello(token: 0, nonce: 8, role: .client)).encode(),
            Message.heartbeat(token: 42, sendTime: 1, rttMicros: 0).encode(),
            Message.subscribe(SubscriptionRequest(token: 42, requestID: 1, selector: video)).encode(),
            Message.unsubscribe(SubscriptionRequest(token: 42, requestID: 2, selector: video)).encode(),
            Message.nack(Nack(token: 42, stream: video, rttMicros: 100, ranges: [NackRange(start: 1, count: 3)])).encode(),
            Message.listRequest(token: 42, requestID: 3).encode(),
            Message.bye(token: 42, reason: .quit).encode(),
        ]
        // A two-chunk frame (both chunks) and a one-chunk frame.
        let two = UInt32(WireConstants.chunkPayload + 500)
        for (index, count, length, bytes) in [(0, 2, two, WireConstants.chunkPayload), (1, 2, two, 500), (0, 1, UInt32(500), 500)] {
            let h = DataHeader(
                stream: video, sequence: 1_000_000 + UInt32(index), frameNumber: 1_000_000, frameLength: length,
                chunkIndex: UInt16(index), chunkCount: UInt16(count), captureTime: 1)
            out.append(Message.data(h, payload: payload[0..<bytes]).encode())
        }
        return out
    }

    // MARK: Bad settings

    /// Runs `tool` with `arguments` to its exit; returns the status and stderr.
    func runToExit(_ tool: String, _ arguments: [String]) throws -> (status: Int32, stderr: String) {
        let p = try launch(tool, arguments, expectAlive: false)
        let status = try waitForExit(p, timeout: 20)
        return (status, p.stderr)
    }

    func testBadSettingsExitTwoNamingTheSetting() throws {
        let cases: [(tool: String, args: [String], names: String)] = [
            ("producer", ["--id", "XYZ", "--frames", Paths.frames("1AAA99").path], "PRODUCER_ID"),
            ("producer", ["--id", "1AAA99", "--frames", "/nonexistent"], "FRAMES"),
            ("producer", ["--id", "1AAA99"], "FRAMES"),
            ("producer", ["--id", "1AAA99", "--frames", Paths.frames("1AAA99").path, "--rate", "0"], "RATE"),
            ("broker", ["--address", "nonsense"], "BROKER_ADDRESS"),
            ("broker", ["--address", "127.0.0.1:99999"], "BROKER_ADDRESS"),
            ("client", ["--subscribe", "zz"], "SUBSCRIBE"),
            ("client", ["--subscribe", "1AAA99,12"], "SUBSCRIBE"),
            ("client", ["--broker-pick", "home"], "BROKER_PICK"),
            ("producer", ["--id", "1AAA99", "--frames", Paths.frames("1AAA99").path, "--broker-pick", "1"], "BROKER_PICK"),
            ("lossy-relay", ["--loss", "2"], "RELAY_LOSS"),
        ]
        for c in cases {
            let r = try runToExit(c.tool, c.args)
            let command = "\(c.tool) \(c.args.joined(separator: " "))"
            XCTAssertEqual(r.status, 2, "\(command) should exit 2; stderr: \(r.stderr)")
            XCTAssertTrue(r.stderr.contains(c.names), "\(command): stderr should name \(c.names): \(r.stderr)")
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, "one line of explanation expected: \(r.stderr)")
        }
    }

    /// A broker list goes on without a name that does not resolve (a stopped broker container's name leaves Docker's
    /// DNS), with a warning naming it; a list of which nothing resolves stops the program, naming the setting. The
    /// name here fails inside the resolver (a label over 63 bytes), so no query leaves the machine.
    func testABrokerListGoesOnWithoutANameThatDoesNotResolve() throws {
        let bad = String(repeating: "a", count: 70) + ".example:5000"
        let alone = try runToExit("client", ["--broker", bad, "--headless"])
        XCTAssertEqual(alone.status, 2, alone.stderr)
        XCTAssertTrue(alone.stderr.contains("BROKER_ADDRESS"), alone.stderr)
        let client = try launch("client", ["--broker", "127.0.0.1:9," + bad, "--headless"])
        try waitUntil("the client warns that it skipped the name", timeout: 20) {
            client.stderr.contains("using the other entries")
        }
        XCTAssertTrue(client.isRunning, client.stderr)
        XCTAssertTrue(client.stderr.contains("WARNING"), client.stderr)
    }

    func testBadCommandsAreExplainedAndTheClientCarriesOn() throws {
        // Nothing listens on this port; commands are checked by the client itself.
        let client = try startClient(brokerPort: try Ports.freeUDP())
        try waitForLine(client, containing: "Type help for commands")

        try client.type("foo")
        let unknown = try waitForLine(client, containing: "unknown command")
        XCTAssertTrue(unknown.contains("foo"), "the explanation should quote the command: \(unknown)")

        try client.type("subscribe 12")
        let bad = try waitForLine(client, containing: "'12'")
        XCTAssertTrue(bad.contains("not a producer id"), "the explanation should say what an id looks like: \(bad)")

        try client.type("subscribe")
        try waitForLine(client, startingWith: "usage: subscribe")

        XCTAssertTrue(client.isRunning, "bad commands must not stop the client")
        try client.type("quit")
        XCTAssertEqual(try waitForExit(client, timeout: 15), 0)
    }
}
