import Foundation
import XCTest

/// Failover with the real executables (issue 14): a client given several brokers keeps its subscription and its
/// output when its broker is killed or hangs; saved frames stay byte-identical and none is saved twice. Gaps are
/// measured from the saved files' capture times and printed (figures, not assertions on speed).
final class FailoverTests: IntegrationTestCase {
    /// Three brokers, a producer of 1AAA99 (video, 30 fps) on the first; a client given the other two, saving frames.
    func startScene() throws -> (brokers: [Broker], client: ManagedProcess, output: URL, on: Int) {
        let brokers = try startBrokerCluster(3)
        try startProducer("1AAA99", brokerPort: brokers[0].port, rate: 30, audio: false)
        try waitForProducerOnline("1AAA99", at: brokers[0])
        let (client, output, on) = try startClient(given: [brokers[1], brokers[2]], of: brokers)
        try waitUntil("the client saves 60 frames", timeout: 30) { savedCount(output, stream: "1AAA9901") >= 60 }
        return (brokers, client, output, on)
    }

    @discardableResult
    func verifyFrames(_ output: URL, label: String, from: UInt32 = 0) throws -> (longestGapMs: Double, missing: Int, duplicates: Int) {
        let sources = try SourceSet(folder: Paths.frames("1AAA99"))
        XCTAssertEqual(sources.check(savedFiles(output, stream: "1AAA9901")).mismatched, [], "\(label): frames that match no source frame")
        let s = scan(output, from: from)
        print("failover \(label): longest gap \(String(format: "%.1f", s.longestGapMs)) ms, \(s.missing) frames lost, \(s.duplicates) duplicates")
        XCTAssertEqual(s.duplicates, 0, "\(label): a frame saved twice")
        return s
    }

    /// `kill -9` of the client's broker: the ICMP port unreachable moves the client at once to the other broker.
    func testAClientMovesWhenItsBrokerIsKilled() throws {
        let (brokers, client, output, on) = try startScene()
        brokers[on].process.expectAlive = false
        brokers[on].process.signal(SIGKILL)
        let other = on == 1 ? brokers[2] : brokers[1]
        try waitForLine(client, containing: "broker \(brokers[on].address) is gone; now on \(other.address), subscriptions kept")
        let before = savedCount(output, stream: "1AAA9901")
        try waitUntil("the client saves 60 more frames", timeout: 30) { savedCount(output, stream: "1AAA9901") >= before + 60 }
        try verifyFrames(output, label: "kill -9")
        XCTAssertEqual(client.stdoutLines.filter { $0.contains("is gone; now on") }.count, 1, "one move per failure")
    }

    /// SIGSTOP of the client's broker for 5 s then SIGCONT: the silence moves the client, once; no frame twice.
    func testAClientMovesOnceWhenItsBrokerHangs() throws {
        let (brokers, client, output, on) = try startScene()
        brokers[on].process.signal(SIGSTOP)
        let other = on == 1 ? brokers[2] : brokers[1]
        try waitForLine(client, containing: "broker \(brokers[on].address) is gone; now on \(other.address), subscriptions kept", timeout: 10)
        Thread.sleep(forTimeInterval: 5)  // the hang lasts 5 s, as the issue asks: a duration, not a synchronisation
        brokers[on].process.signal(SIGCONT)
        let before = savedCount(output, stream: "1AAA9901")
        try waitUntil("the client saves 45 more frames", timeout: 30) { savedCount(output, stream: "1AAA9901") >= before + 45 }
        try verifyFrames(output, label: "SIGSTOP 5 s")
        XCTAssertEqual(client.stdoutLines.filter { $0.contains("is gone; now on") }.count, 1, "no flapping: one move")
    }
    /// `kill -9` of the producer's broker: the producer moves to the other broker of its list and announces its
    /// streams there; the cluster moves the origin and a client on a third broker goes on saving frames.
    func testAProducerMovesWhenItsBrokerIsKilled() throws {
        let brokers = try startBrokerCluster(3)
        let list = [brokers[0], brokers[1]].map(\.address).joined(separator: ",")
        let producer = try launch(
            "producer", ["--broker", list, "--bind", try Ports.freeLocalAddress(), "--id", "1AAA99", "--frames", Paths.frames("1AAA99").path, "--rate", "30"],
            name: "producer-1AAA99")
        try waitUntil("the producer connects", timeout: 20) { producer.stderr.contains("connected to broker 127.0.0.1:") }
        let on = brokers.firstIndex { producer.stderr.contains("connected to broker \($0.address)") }!
        let output = folder("out")
        let client = try startClient(brokerPort: brokers[2].port, subscribe: ["1AAA99"], output: output, name: "client-b3")
        try waitForLine(client, startingWith: "subscribed to 1AAA99")
        try waitUntil("the client saves 60 frames", timeout: 30) { savedCount(output, stream: "1AAA9901") >= 60 }
        brokers[on].process.expectAlive = false
        brokers[on].process.signal(SIGKILL)
        let other = on == 0 ? brokers[1] : brokers[0]
        try waitUntil("the producer moves", timeout: 10) {
            producer.stderr.contains("broker \(brokers[on].address) is gone; now on \(other.address)")
        }
        let before = savedCount(output, stream: "1AAA9901")
        try waitUntil("the client saves 60 more frames", timeout: 30) { savedCount(output, stream: "1AAA9901") >= before + 60 }
        // The frame in flight went to the dead broker: the client NACKs it, its broker fetches it from the new origin,
        // which asks the producer's retransmit buffer.
        XCTAssertEqual(try verifyFrames(output, label: "producer's broker kill -9").missing, 0, "frames lost")
    }
    /// SIGTERM of the client's broker: it tells the client to move, forwards while it does, and exits 0.
    func testADrainingBrokerMovesItsClientAndExitsZero() throws {
        let (brokers, client, output, on) = try startScene()
        brokers[on].process.expectAlive = false
        brokers[on].process.signal(SIGTERM)
        let other = on == 1 ? brokers[2] : brokers[1]
        try waitForLine(client, containing: "broker \(brokers[on].address) is gone; now on \(other.address), subscriptions kept")
        XCTAssertEqual(try waitForExit(brokers[on].process, timeout: 10), 0)
        XCTAssertTrue(brokers[on].process.stderr.contains("drained: exiting"), brokers[on].process.logTail())
        let before = savedCount(output, stream: "1AAA9901")
        try waitUntil("the client saves 45 more frames", timeout: 30) { savedCount(output, stream: "1AAA9901") >= before + 45 }
        try verifyFrames(output, label: "SIGTERM drain")
        XCTAssertEqual(client.stdoutLines.filter { $0.contains("is gone; now on") }.count, 1, "one move")
    }

    /// A rolling restart: SIGTERM of each of three brokers in turn, each started again on its port and back in the
    /// cluster before the next. The producer and the client, given all three, move as each broker drains (pinned
    /// with --broker-pick first: the client starts on broker1 and so moves three times, the producer on broker2 and
    /// moves twice, once with the client); the client saves every frame once, byte-identical, none missing.
    func testARollingRestartOfEveryBrokerLosesNoFrame() throws {
        var brokers = try startBrokerCluster(3)
        let list = brokers.map(\.address).joined(separator: ",")
        let producerList = [brokers[1], brokers[2], brokers[0]].map(\.address).joined(separator: ",")
        let producer = try launch(
            "producer", ["--broker", producerList, "--broker-pick", "first", "--bind", try Ports.freeLocalAddress(), "--id", "1AAA99", "--frames", Paths.frames("1AAA99").path, "--rate", "30"],
            name: "producer-1AAA99")
        let output = folder("out")
        let args = [
            "--broker", list, "--broker-pick", "first", "--bind", try Ports.freeLocalAddress(), "--status-interval", "0", "--subscribe", "1AAA99",
            "--output", output.path,
        ]
        let client = try launch("client", args, name: "client", stdin: true)
        try waitForLine(client, startingWith: "connected to broker \(brokers[0].address)")
        try waitForLine(client, startingWith: "subscribed to 1AAA99")
        try waitUntil("the client saves 30 frames", timeout: 30) { savedCount(output, stream: "1AAA9901") >= 30 }
        // Frames from here on count: the first ones a subscriber gets may start anywhere in the stream.
        let from = savedFiles(output, stream: "1AAA9901").compactMap(savedName).map(\.frameNumber).max()!
        for i in brokers.indices {
            brokers[i] = try rollingRestart(brokers, i, peers: list)
            let before = savedCount(output, stream: "1AAA9901")
            try waitUntil("the client saves 15 more frames", timeout: 20) { savedCount(output, stream: "1AAA9901") >= before + 15 }
        }
        let s = try verifyFrames(output, label: "rolling", from: from)
        XCTAssertEqual(s.missing, 0, "rolling restart: frame numbers never saved")
        let moves = client.stdoutLines.filter { $0.contains("is gone; now on") }.count
        let producerMoves = producer.stderr.components(separatedBy: "is gone; now on").count - 1
        print("failover rolling: client moved \(moves) times, producer \(producerMoves) times")
        XCTAssertEqual(moves, 3, "the client moves as each broker drains")
        XCTAssertEqual(producerMoves, 2, "the producer moves as broker2 and broker3 drain")
    }

    /// SIGTERM of `brokers[i]`, which must exit 0; starts it again on its port and waits until it and each other
    /// broker see their links up again.
    func rollingRestart(_ brokers: [Broker], _ i: Int, peers: String) throws -> Broker {
        let old = brokers[i]
        let others = brokers.indices.filter { $0 != i }.map { brokers[$0] }
        let ups = { (b: Broker) in b.process.stderr.components(separatedBy: "peer broker \(old.address) is up").count - 1 }
        let upsBefore = others.map(ups)
        old.process.expectAlive = false
        old.process.signal(SIGTERM)
        XCTAssertEqual(try waitForExit(old.process, timeout: 10), 0, "broker\(i + 1) drains and exits 0")
        let again = try startBroker(
            port: old.port, metrics: true, name: "broker\(i + 1)-again", extra: ["--peers", peers, "--cluster-secret", ClusterTests.secret])
        try waitUntil("broker\(i + 1) links to the others again", timeout: 20) {
            again.process.stderr.split(separator: "\n").filter { $0.contains("peer broker ") && $0.contains(" is up (") }.count >= others.count
                && zip(others, upsBefore).allSatisfy { ups($0) > $1 }
        }
        return again
    }
}

extension IntegrationTestCase {
    /// A client given `list` (in that order), subscribed to 1AAA99 and saving it: returns it, its folder, and the
    /// index in `all` of the broker it connected to.
    func startClient(given list: [Broker], of all: [Broker]) throws -> (client: ManagedProcess, output: URL, on: Int) {
        let output = folder("out")
        let brokers = list.map(\.address).joined(separator: ",")
        let args = ["--broker", brokers, "--bind", try Ports.freeLocalAddress(), "--status-interval", "0", "--subscribe", "1AAA99", "--output", output.path]
        let client = try launch("client", args, name: "client", stdin: true)
        let line = try waitForLine(client, startingWith: "connected to broker 127.0.0.1:")
        let on = all.firstIndex { line.hasSuffix($0.address) }!
        try waitForLine(client, startingWith: "subscribed to 1AAA99")
        return (client, output, on)
    }

    /// The longest gap between consecutive saved frames' capture times (ms), frames missing by number, duplicates;
    /// over the frames numbered `from` and later.
    func scan(_ output: URL, from: UInt32 = 0) -> (longestGapMs: Double, missing: Int, duplicates: Int) {
        let names = savedFiles(output, stream: "1AAA9901").compactMap(savedName).filter { $0.frameNumber >= from }
            .sorted { $0.captureTime < $1.captureTime }
        var longest: UInt64 = 0
        var missing = 0
        for (a, b) in zip(names, names.dropFirst()) {
            longest = max(longest, b.captureTime - a.captureTime)
            if b.frameNumber > a.frameNumber + 1 { missing += Int(b.frameNumber - a.frameNumber - 1) }
        }
        let numbers = names.map(\.frameNumber)
        return (Double(longest) / 1000, missing, numbers.count - Set(numbers).count)
    }

    /// Starts `n` brokers that list each other, as `ClusterTests.startCluster` does (that one is private to its class).
    func startBrokerCluster(_ n: Int) throws -> [Broker] {
        let ports = try (0..<n).map { _ in try Ports.freeUDP() }
        let peers = ports.map { "127.0.0.1:\($0)" }.joined(separator: ",")
        let brokers = try ports.enumerated().map { i, p in
            try startBroker(port: p, metrics: true, name: "broker\(i + 1)", extra: ["--peers", peers, "--cluster-secret", ClusterTests.secret])
        }
        for (i, b) in brokers.enumerated() {
            try waitUntil("broker\(i + 1) links to the \(n - 1) others", timeout: 20) {
                b.process.stderr.components(separatedBy: "peer broker 127.0.0.1:").count - 1 >= n - 1
            }
        }
        return brokers
    }
}
