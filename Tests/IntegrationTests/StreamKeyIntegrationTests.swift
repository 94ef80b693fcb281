import Foundation
import XCTest

/// Stream keys with the real executables: nobody takes over a producer id without its key (docs/SECURITY.md).
final class StreamKeyIntegrationTests: IntegrationTestCase {
    /// A second producer claims 1AAA99 from another port with a wrong key, sending other pictures: the broker
    /// refuses it (and says so once), and every frame the subscriber saves is one of the genuine producer's.
    func testAHijackFromAnotherPortDeliversNoForgedFrame() throws {
        let genuine = try SourceSet(folder: Paths.frames("1AAA99"))
        let broker = try startBroker()
        try startProducer("1AAA99", brokerPort: broker.port, rate: 30, audio: false)
        try waitForProducerOnline("1AAA99", at: broker)
        let out = folder("out")
        let client = try startClient(brokerPort: broker.port, subscribe: ["1AAA9901"], output: out)
        try waitForLine(client, startingWith: "subscribed to 1AAA9901")

        // The attacker has everything but the key: the id, another producer's pictures, a key of its own making.
        let attacker = try launch(
            "producer",
            ["--broker", broker.address, "--bind", try Ports.freeLocalAddress(), "--id", "1AAA99", "--frames", Paths.frames("2BBB77").path,
             "--rate", "30", "--stream-key", String(repeating: "ab", count: 16)],
            name: "attacker", environment: ["PUBLISH_SECRET": ""])
        try waitUntil("the attacker is told it was refused") { attacker.stderr.contains("refused producer 1AAA99 (not authorized)") }
        let before = savedCount(out, stream: "1AAA9901")
        try waitUntil("60 more frames are saved while the attacker keeps trying", timeout: 30) { savedCount(out, stream: "1AAA9901") >= before + 60 }
        let check = genuine.check(savedFiles(out, stream: "1AAA9901"))
        XCTAssertEqual(check.mismatched, [], "frames that are not the genuine producer's")
        XCTAssertEqual(broker.process.stderr.components(separatedBy: "wrong stream key").count - 1, 1, "the broker says so once")
        XCTAssertFalse(broker.process.stderr.contains("producer 1AAA99 moved"), "the genuine session was never replaced")
        XCTAssertEqual(attacker.stderr.components(separatedBy: "refused producer").count - 1, 1, "the attacker is told once, not per retry")
    }

    /// `broker --issue-key` prints the key that a producer given only that key (no secret) publishes with.
    func testAnIssuedKeyIsAllAProducerNeeds() throws {
        let issue = try launch("broker", ["--issue-key", "1aaa99"], name: "issue-key", expectAlive: false)
        XCTAssertEqual(try waitForExit(issue, timeout: 20), 0)
        let key = issue.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(key.count, 32, "a key of 32 hex digits: '\(key)'")
        let broker = try startBroker()
        try launch(
            "producer",
            ["--broker", broker.address, "--bind", try Ports.freeLocalAddress(), "--id", "1AAA99", "--frames", Paths.frames("1AAA99").path,
             "--stream-key", key],
            name: "producer", environment: ["PUBLISH_SECRET": ""])
        try waitForProducerOnline("1AAA99", at: broker)
        let out = folder("out")
        let client = try startClient(brokerPort: broker.port, subscribe: ["1AAA9901"], output: out)
        try waitForLine(client, startingWith: "subscribed to 1AAA9901")
        try waitUntil("frames are saved") { savedCount(out, stream: "1AAA9901") >= 5 }
    }

    func testSecretsAndKeysAreCheckedAtStart() throws {
        let cases: [(tool: String, args: [String], env: [String: String], names: String)] = [
            ("broker", [], ["PUBLISH_SECRET": ""], "PUBLISH_SECRET"),
            ("broker", [], ["PUBLISH_SECRET": "short"], "PUBLISH_SECRET"),
            ("broker", ["--issue-key", "XYZ"], [:], "issue-key"),
            ("producer", ["--id", "1AAA99", "--frames", Paths.frames("1AAA99").path], ["PUBLISH_SECRET": ""], "STREAM_KEY"),
            ("producer", ["--id", "1AAA99", "--frames", Paths.frames("1AAA99").path, "--stream-key", "12"], [:], "STREAM_KEY"),
            ("producer", ["--producers", "1AAA99:12:0:nothex"], [:], "PRODUCERS"),
        ]
        for c in cases {
            let p = try launch(c.tool, c.args, environment: c.env, expectAlive: false)
            let status = try waitForExit(p, timeout: 20)
            let command = "\(c.tool) \(c.args.joined(separator: " ")) \(c.env)"
            XCTAssertEqual(status, 2, "\(command) should exit 2; stderr: \(p.stderr)")
            XCTAssertTrue(p.stderr.contains(c.names), "\(command): stderr should name \(c.names): \(p.stderr)")
        }
    }
}
