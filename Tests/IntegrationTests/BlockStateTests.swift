import Foundation
import XCTest

/// Blocks hold cluster-wide and survive restarts (issue 21, point 10), with the real broker: a block at one broker
/// shows on every broker's status page within a second, is written to STATE_DIR/blocks and read back when the broker
/// restarts, and an unblock at another broker lets the producer in again. A damaged state file is a warning.
final class BlockStateTests: IntegrationTestCase {
    let password = "correct horse"

    func blocked(_ b: Broker) throws -> [String] {
        try statusJSON(XCTUnwrap(b.metricsPort), "/api/streams", password: password)["blocked_producers"] as? [String] ?? []
    }

    func startMember(_ i: Int, port: UInt16, peers: String, state: URL) throws -> Broker {
        try startBroker(
            port: port, metrics: true, name: "broker\(i + 1)",
            extra: ["--peers", peers, "--cluster-secret", ClusterTests.secret, "--status-password", password, "--state-dir", state.path])
    }

    func testABlockReachesEveryBrokerAndSurvivesARestart() throws {
        let ports = try (0..<2).map { _ in try Ports.freeUDP() }
        let peers = ports.map { "127.0.0.1:\($0)" }.joined(separator: ",")
        let states = [folder("state1"), folder("state2")]
        var brokers = try (0..<2).map { try startMember($0, port: ports[$0], peers: peers, state: states[$0]) }
        try waitUntil("the brokers link", timeout: 20) { brokers[1].process.stderr.contains("peer broker 127.0.0.1:\(ports[0])") }

        XCTAssertEqual(try http(XCTUnwrap(brokers[0].metricsPort), "POST", "/api/producers/block", password: password, form: "id=1AAA99").status, 200)
        let took = try waitUntil("broker2's status page shows the block", timeout: 10) { try blocked(brokers[1]) == ["1AAA99"] }
        print("block-state: broker2 shows the block \(String(format: "%.0f", took * 1000)) ms after the POST at broker1")
        for (i, s) in states.enumerated() {
            try waitUntil("broker\(i + 1) writes its state file") {
                (try? String(contentsOf: s.appendingPathComponent("blocks"), encoding: .utf8))?.contains("\nblocked 1AAA99 ") == true
            }
        }

        // broker1 is killed and comes back on its port with its state folder: the block is there from the start.
        brokers[0].process.expectAlive = false
        brokers[0].process.signal(SIGKILL)
        _ = try waitForExit(brokers[0].process)
        brokers[0] = try startMember(0, port: ports[0], peers: peers, state: states[0])
        XCTAssertTrue(brokers[0].process.stderr.contains("state: restored 1 block decisions"), brokers[0].process.logTail())
        XCTAssertEqual(try blocked(brokers[0]), ["1AAA99"])
        let producer = try startProducer("1AAA99", brokerPort: brokers[0].port, audio: false)
        try waitUntil("the producer is refused") { producer.stderr.contains("refused producer 1AAA99 (not authorized): producer 1AAA99 is blocked") }

        // Unblocked at broker2: broker1 lets the producer in at its next HELLO.
        XCTAssertEqual(
            try http(XCTUnwrap(brokers[1].metricsPort), "POST", "/api/producers/unblock", password: password, form: "id=1AAA99").status, 200)
        try waitForProducerOnline("1AAA99", at: brokers[0], timeout: 20)
        XCTAssertEqual(try blocked(brokers[0]), [])
        try waitUntil("broker1's state file has the unblock") {
            (try? String(contentsOf: states[0].appendingPathComponent("blocks"), encoding: .utf8))?.contains("\nunblocked 1AAA99 ") == true
        }
    }

    func testADamagedStateFileIsAWarningNotACrash() throws {
        let state = folder("state")
        try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
        try Data("# vbroker blocks v1\nblocked 1AAA99 0000000001000001\nblocked nonsense\n\u{0}\u{1}".utf8).write(
            to: state.appendingPathComponent("blocks"))
        let broker = try startBroker(metrics: true, extra: ["--status-password", password, "--state-dir", state.path])
        try waitUntil("the broker warns about the damaged lines") { broker.process.stderr.contains("line 3: expected") }
        XCTAssertEqual(try blocked(broker), ["1AAA99"], "the good line still counts")
        try Data([0xFF, 0xFE, 0x00]).write(to: state.appendingPathComponent("blocks"))
        let other = try startBroker(metrics: true, name: "broker2", extra: ["--status-password", password, "--state-dir", state.path])
        try waitUntil("the second broker says the file is no block list") { other.process.stderr.contains("not a block list") }
        XCTAssertEqual(try blocked(other), [])
    }
}
