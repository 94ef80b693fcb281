import Foundation
import XCTest

/// Three brokers on loopback acting as one service (docs/PROTOCOL.md §12): a producer on one, clients on the others.
final class ClusterTests: IntegrationTestCase {
    static let secret = "integration cluster secret"

    /// Starts `n` brokers that list each other (and themselves: a broker ignores its own entry), with metrics.
    func startCluster(_ n: Int, secret: String = ClusterTests.secret) throws -> [Broker] {
        let ports = try (0..<n).map { _ in try Ports.freeUDP() }
        let peers = ports.map { "127.0.0.1:\($0)" }.joined(separator: ",")
        let brokers = try ports.enumerated().map { i, p in
            try startBroker(port: p, metrics: true, name: "broker\(i + 1)", extra: ["--peers", peers, "--cluster-secret", secret])
        }
        for (i, b) in brokers.enumerated() {
            try waitUntil("broker\(i + 1) links to the \(n - 1) others", timeout: 20) {
                b.process.stderr.components(separatedBy: "peer broker 127.0.0.1:").count - 1 >= n - 1
            }
        }
        return brokers
    }

    func metric(_ b: Broker, _ name: String, containing label: String = "") throws -> Double {
        let text = try httpGet(port: b.metricsPort!, path: "/metrics").body
        let line = text.split(separator: "\n").first { $0.hasPrefix(name) && $0.contains(label) && !$0.hasPrefix("#") }
        return line.flatMap { Double($0.split(separator: " ").last!) } ?? 0
    }

    /// Frames produced at broker 1 reach clients of brokers 2 and 3 byte for byte; broker 1 sends the stream once
    /// per interested broker; when the last client of broker 3 leaves, the stream stops on that peer link.
    func testAStreamReachesClientsOnOtherBrokersOncePerBroker() throws {
        let brokers = try startCluster(3)
        try startProducer("1AAA99", brokerPort: brokers[0].port, rate: 30, audio: false)
        try waitForProducerOnline("1AAA99", at: brokers[0])
        let out2 = folder("out2"), out3a = folder("out3a"), out3b = folder("out3b")
        let c2 = try startClient(brokerPort: brokers[1].port, subscribe: ["1AAA99"], output: out2, name: "client-b2")
        let c3a = try startClient(brokerPort: brokers[2].port, subscribe: ["1AAA9901"], output: out3a, name: "client-b3a")
        let c3b = try startClient(brokerPort: brokers[2].port, subscribe: ["1AAA9901"], output: out3b, name: "client-b3b")
        for c in [c2, c3a, c3b] { try waitForLine(c, startingWith: "subscribed to 1AAA99") }
        let sources = try SourceSet(folder: Paths.frames("1AAA99"))
        try waitUntil("every client saves 60 frames", timeout: 30) {
            [out2, out3a, out3b].allSatisfy { savedCount($0, stream: "1AAA9901") >= 60 }
        }
        for out in [out2, out3a, out3b] {
            let check = sources.check(savedFiles(out, stream: "1AAA9901"))
            XCTAssertEqual(check.mismatched, [], "frames that match no source frame in \(out.lastPathComponent)")
        }
        // Once per interested broker: what broker 1 sent to broker 3 (two clients there) is about what it received.
        let received = try metric(brokers[0], "broker_stream_datagrams_in_total", containing: "1AAA9901")
        let toB3 = try metric(brokers[0], "broker_peer_data_out_total", containing: "127.0.0.1:\(brokers[2].port)")
        let toB2 = try metric(brokers[0], "broker_peer_data_out_total", containing: "127.0.0.1:\(brokers[1].port)")
        print("cluster: broker 1 received \(Int(received)) datagrams of 1AAA9901, sent \(Int(toB2)) to broker 2 and \(Int(toB3)) to broker 3")
        XCTAssertGreaterThan(toB3, 0)
        // Twice as much would be once per subscriber; once, plus the join frame and any repairs, is once per broker.
        XCTAssertLessThan(toB3, received * 1.2, "broker 3 has two clients but gets the stream once")
        // `list` at broker 3 names the broker the producer is on.
        try c3a.type("list")
        let listed = try waitForLine(c3a, containing: "1AAA99 (on broker")
        XCTAssertTrue(listed.contains("1AAA9901"), listed)

        // The last clients of broker 3 leave: broker 1 stops sending there, while broker 2 still gets the stream.
        for c in [c3a, c3b] {
            try c.type("unsubscribe 1AAA9901")
            try waitForLine(c, containing: "unsubscribed from 1AAA9901")
        }
        try waitUntil("broker 1 stops sending to broker 3", timeout: 10) {
            let a = try metric(brokers[0], "broker_peer_data_out_total", containing: "127.0.0.1:\(brokers[2].port)")
            let before2 = try metric(brokers[0], "broker_peer_data_out_total", containing: "127.0.0.1:\(brokers[1].port)")
            // Steady while 60 more datagrams go to broker 2.
            try waitUntil("60 more datagrams go to broker 2", timeout: 10) {
                try metric(brokers[0], "broker_peer_data_out_total", containing: "127.0.0.1:\(brokers[1].port)") >= before2 + 60
            }
            return try metric(brokers[0], "broker_peer_data_out_total", containing: "127.0.0.1:\(brokers[2].port)") == a
        }
        let more = savedCount(out2, stream: "1AAA9901")
        try waitUntil("broker 2's client still saves frames") { savedCount(out2, stream: "1AAA9901") >= more + 20 }
    }

    /// A process with another secret cannot join: every broker of the cluster refuses its PEER_HELLOs, and it
    /// never sees a stream of theirs.
    func testABrokerWithoutTheSecretCannotJoin() throws {
        let brokers = try startCluster(2)
        let stranger = try startBroker(
            metrics: true, name: "stranger", extra: ["--peers", "127.0.0.1:\(brokers[0].port)", "--cluster-secret", "not the cluster's secret!"])
        try startProducer("1AAA99", brokerPort: brokers[0].port, rate: 30, audio: false)
        try waitForProducerOnline("1AAA99", at: brokers[0])
        try waitUntil("broker 1 refuses the stranger's peer messages", timeout: 10) {
            try metric(brokers[0], "broker_drops_total", containing: "bad_peer_tag") >= 5
        }
        XCTAssertFalse(stranger.process.stderr.contains("peer broker 127.0.0.1"), "the stranger linked to nobody")
        XCTAssertFalse(brokers[0].process.stderr.contains("peer broker 127.0.0.1:\(stranger.port)"), "nobody linked to the stranger")
        // A client of the stranger does not get the cluster's stream.
        let c = try startClient(brokerPort: stranger.port, name: "client-stranger")
        try c.type("list")
        try waitForLine(c, containing: "knows no producers")
    }

    /// /readyz: ready once BROKER_PEERS resolved (links need not be up); not ready while it has not, saying why.
    func testReadinessFollowsPeerResolution() throws {
        let brokers = try startCluster(2)
        let ready = try httpGet(port: brokers[0].metricsPort!, path: "/readyz")
        XCTAssertEqual(ready.status, 200, ready.body)
        XCTAssertTrue(ready.body.contains("up=1"), ready.body)
        let lonely = try startBroker(metrics: true, name: "lonely", extra: ["--peers", "no-such-broker.invalid:5000", "--cluster-secret", Self.secret])
        let notReady = try httpGet(port: lonely.metricsPort!, path: "/readyz")
        XCTAssertEqual(notReady.status, 503, notReady.body)
        XCTAssertTrue(notReady.body.contains("BROKER_PEERS"), notReady.body)
        XCTAssertEqual(try httpGet(port: lonely.metricsPort!, path: "/healthz").status, 200, "alive all the same")
    }

    func testPeersWithoutASecretRefuseToStart() throws {
        let p = try launch("broker", ["--peers", "127.0.0.1:5999"], name: "no-secret", expectAlive: false)
        XCTAssertEqual(try waitForExit(p, timeout: 20), 2)
        XCTAssertTrue(p.stderr.contains("CLUSTER_SECRET"), p.stderr)
        let q = try launch("broker", ["--peers", "nonsense"], name: "bad-peers", environment: ["CLUSTER_SECRET": Self.secret], expectAlive: false)
        XCTAssertEqual(try waitForExit(q, timeout: 20), 2)
        XCTAssertTrue(q.stderr.contains("BROKER_PEERS"), q.stderr)
    }
}
