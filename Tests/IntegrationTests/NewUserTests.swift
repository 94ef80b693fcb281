import Foundation
import XCTest

/// What a new user hit on a fresh clone (issue 12, second half), each checked against the real executables.
final class NewUserTests: IntegrationTestCase {
    /// Following a producer before it is online: accepted as waiting, the online producers named, and its
    /// frames delivered once it comes online. The broker logs the subscribe at info.
    func testSubscribingBeforeTheProducerStartsWaitsThenDelivers() throws {
        let broker = try startBroker()
        try startProducer("2BBB77", brokerPort: broker.port, rate: 24, audio: false)
        try waitForProducerOnline("2BBB77", at: broker)
        let out = folder("out")
        let client = try startClient(brokerPort: broker.port, subscribe: ["1AAA99"], output: out)
        let waiting = try waitForLine(client, startingWith: "subscribed to 1AAA99")
        XCTAssertTrue(waiting.contains("waiting"), "the answer should say the subscription waits: \(waiting)")
        XCTAssertEqual(try waitForLine(client, startingWith: "online now:"), "online now: 2BBB77")
        try waitUntil("the broker logs the subscribe") { broker.process.stderr.contains("subscribed to 1AAA99, waiting") }

        try startProducer("1AAA99", brokerPort: broker.port, rate: 30)
        try waitForLine(client, containing: "stream 1AAA9901 is online")
        try waitUntil("the waiting client saves 10 frames of 1AAA99") { savedCount(out, stream: "1AAA9901") >= 10 }
        let check = try SourceSet(folder: Paths.frames("1AAA99")).check(savedFiles(out, stream: "1AAA9901"))
        XCTAssertEqual(check.mismatched, [])

        try client.type("unsubscribe 1AAA99")
        try waitForLine(client, containing: "unsubscribed from 1AAA99")
        try waitUntil("the broker logs the unsubscribe") { broker.process.stderr.contains("unsubscribed from 1AAA99") }
    }

    /// The prompt on a terminal (as `docker attach` gives it): Enter alone shows the prompt and the connection;
    /// status lines are redrawn in place below the answers while what is typed stays on the prompt line; Ctrl-D
    /// is answered on stdout.
    func testTerminalPromptStatusRegionAndEndOfInput() throws {
        let broker = try startBroker()
        try startProducer("1AAA99", brokerPort: broker.port, rate: 30)
        try waitForProducerOnline("1AAA99", at: broker)
        let tty = try PseudoTerminal()
        let args = ["--broker", broker.address, "--bind", try Ports.freeLocalAddress(), "--status-interval", "0.2"]
        let client = try launch("client", args, terminal: tty)
        try waitUntil("the client connects") { client.stderr.contains("connected to broker") }

        // Attaching after the banner: Enter alone gives the connection state and a prompt.
        let before = client.stdout.count
        try tty.type("\r")
        try waitUntil("Enter shows the connection and a prompt") {
            let shown = String(client.stdout.dropFirst(before))
            return shown.contains("broker \(broker.address): connected") && shown.hasSuffix("> ")
        }

        // Status lines are a region redrawn in place (cursor up, erase), and a half-typed command survives it.
        try tty.type("subscribe 1AAA99\r")
        try waitUntil("a status line for 1AAA9901") { client.stdout.contains("[1AAA9901]") }
        try tty.type("sta")
        let typed = client.stdout.count
        try waitUntil("two redraws keep the typed text on the prompt line", timeout: 10) {
            let shown = String(client.stdout.dropFirst(typed))
            return shown.components(separatedBy: "\u{1b}[J").count > 2 && shown.hasSuffix("> sta")
        }
        try tty.type("ts\r")
        // (The terminal turns each LF into CR LF: the client's CR LF arrives as CR CR LF.)
        try waitUntil("the command typed across redraws runs") { client.stdout.contains("> stats\r") }
        try waitUntil("stats answers with a line for 1AAA9901") { client.stdout.contains("1AAA9901: ") }

        // Ctrl-D: said on stdout, and the client goes on receiving.
        try tty.type("\u{04}")
        try waitUntil("Ctrl-D is answered on stdout") { client.stdout.contains("end of input: commands are no longer read") }
        XCTAssertTrue(client.isRunning)
    }

    /// Without a terminal, an empty line is answered too (it was dropped), and the end of input is said on stdout.
    func testEmptyLineAndEndOfInputOnAPipe() throws {
        let broker = try startBroker()
        let client = try startClient(brokerPort: broker.port)
        try waitUntil("the client connects") { client.stderr.contains("connected to broker") }
        try client.type("")
        XCTAssertEqual(try waitForLine(client, startingWith: "broker "), "broker \(broker.address): connected; subscriptions: none")
        client.closeStdin()
        try waitForLine(client, startingWith: "end of input: commands are no longer read")
    }

    /// `stats` counts per subscription: after unsubscribe and subscribe, frames and bytes start again together
    /// (bytes stayed cumulative), and the join frame's age is reported apart from live latency.
    func testStatsArePerSubscriptionAndTheJoinFrameAgeIsApart() throws {
        let broker = try startBroker()
        try startProducer("1AAA99", brokerPort: broker.port, rate: 30, audio: false)
        try waitForProducerOnline("1AAA99", at: broker)
        let out = folder("out")
        let client = try startClient(brokerPort: broker.port, subscribe: ["1AAA9901"], output: out)
        try waitForLine(client, startingWith: "subscribed to 1AAA9901")
        try waitUntil("40 frames saved") { savedCount(out, stream: "1AAA9901") >= 40 }
        try client.type("unsubscribe 1AAA9901")
        try waitForLine(client, containing: "unsubscribed from 1AAA9901")
        let before = savedCount(out, stream: "1AAA9901")
        try client.type("subscribe 1AAA9901")
        try waitForLine(client, startingWith: "subscribed to 1AAA9901", count: 2)
        try waitUntil("3 frames of the new subscription saved") { savedCount(out, stream: "1AAA9901") >= before + 3 }
        try client.type("stats")
        let line = try waitForLine(client, startingWith: "1AAA9901: ")
        let frames = try XCTUnwrap(number(before: " frames complete", in: line), line)
        let bytes = try XCTUnwrap(number(before: " bytes", in: line), line)
        let largest =
            try FileManager.default.contentsOfDirectory(atPath: Paths.frames("1AAA99").path)
            .compactMap { try? FileManager.default.attributesOfItem(atPath: Paths.frames("1AAA99").appendingPathComponent($0).path)[.size] as? Int }
            .max() ?? 0
        XCTAssertLessThan(frames, before, "the frame count is this subscription's: \(line)")
        XCTAssertLessThanOrEqual(bytes, frames * largest, "bytes are this subscription's frames' bytes, not every subscription's: \(line)")
        XCTAssertTrue(line.contains("(live frames), join frame age "), line)
        XCTAssertFalse(line.contains("join frame age -"), "the broker sends a join frame on subscribing: \(line)")
    }

    /// The integer just before `suffix` in `line` ("1,234 bytes" is not written: plain digits).
    private func number(before suffix: String, in line: String) -> Int? {
        guard let r = line.range(of: suffix) else { return nil }
        return Int(String(line[..<r.lowerBound].reversed().prefix { $0.isNumber }.reversed()))
    }

    /// `scripts/run-local` with its metrics port taken: it says what failed and exits non-zero, before any prompt.
    func testRunLocalWithABusyPortSaysWhyAndFails() throws {
        let busy = try TCPListener()
        let bin = try Paths.binary("broker").deletingLastPathComponent().path
        let p = Process()
        p.executableURL = Paths.packageRoot.appendingPathComponent("scripts/run-local")
        let udp = try Ports.freeUDP()
        p.environment = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "VBROKER_BIN": bin, "BROKER_PORT": "\(udp)",
            "METRICS_PORT": "\(busy.port)", "LOG_DIR": workDir.path,
        ]
        let out = Pipe()
        let err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let said = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 1, said)
        XCTAssertTrue(said.contains("the broker did not start"), said)
        XCTAssertTrue(said.contains("127.0.0.1:\(busy.port)") && said.contains("Address already in use"), said)
        XCTAssertTrue(said.contains("METRICS_PORT="), "it says how to choose other ports: \(said)")
        XCTAssertFalse(said.contains("try: list"), "no prompt in front of a dead broker: \(said)")
        XCTAssertTrue(String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).isEmpty)
    }
}
