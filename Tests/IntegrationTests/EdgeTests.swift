import Foundation
import XCTest

/// Edges with the real executables (issue 24, docs/PROTOCOL.md §12 "Edges"): brokers given BROKER_UPSTREAM below a
/// meshed core, producers on a core and on an edge, clients on the edges; frames byte-identical to the sources, each
/// stream carried once per edge, an edge that loses its upstream moving to the next, and a loop refused.
final class EdgeTests: IntegrationTestCase {
    /// An edge below `upstreams` (tried in order).
    func startEdge(_ name: String, upstreams: [Broker]) throws -> Broker {
        let list = upstreams.map(\.address).joined(separator: ",")
        let e = try startBroker(metrics: true, name: name, extra: ["--upstream", list, "--cluster-secret", ClusterTests.secret])
        try waitUntil("\(name) links to its upstream", timeout: 20) { e.process.stderr.contains("peer broker \(upstreams[0].address) is up") }
        return e
    }

    func metric(_ b: Broker, _ name: String, containing label: String = "") throws -> Double {
        let text = try httpGet(port: b.metricsPort!, path: "/metrics").body
        let line = text.split(separator: "\n").first { $0.hasPrefix(name) && $0.contains(label) && !$0.hasPrefix("#") }
        return line.flatMap { Double($0.split(separator: " ").last!) } ?? 0
    }

    func checkFrames(_ output: URL, producer: String) throws {
        let sources = try SourceSet(folder: Paths.frames(producer))
        let check = sources.check(savedFiles(output, stream: "\(producer)01"))
        XCTAssertEqual(check.mismatched, [], "frames of \(producer) that match no source frame in \(output.lastPathComponent)")
    }

    /// Three cores and four edges: edges 1 and 2 below cores 1 and 2 (each with the other core as its second),
    /// edge 3 below edge 1, edge 4 below core 3. 1AAA99 is produced at core 3, 2BBB77 at edge 1. A client of each
    /// stream on every edge (two of 1AAA99 on edge 3): frames byte-identical, each edge receives each stream once
    /// whatever its clients, and `list` at the bottom shows the whole tree's streams.
    func testStreamsCrossTheTreeOncePerEdge() throws {
        let cores = try startBrokerCluster(3)
        let edge1 = try startEdge("edge1", upstreams: [cores[0], cores[1]])
        let edge2 = try startEdge("edge2", upstreams: [cores[1], cores[0]])
        let edge3 = try startEdge("edge3", upstreams: [edge1, edge2])
        let edge4 = try startEdge("edge4", upstreams: [cores[2], cores[0]])
        let edges = [edge1, edge2, edge3, edge4]
        try startProducer("1AAA99", brokerPort: cores[2].port, rate: 30, audio: false)
        try startProducer("2BBB77", brokerPort: edge1.port, rate: 30, audio: false)
        try waitForProducerOnline("1AAA99", at: cores[2])
        try waitForProducerOnline("2BBB77", at: edge1)
        var watching: [(client: ManagedProcess, output: URL, producer: String)] = []
        for (i, e) in edges.enumerated() {
            for id in ["1AAA99", "2BBB77"] {
                let out = folder("out-edge\(i + 1)-\(id)")
                watching.append((try startClient(brokerPort: e.port, subscribe: [id], output: out, name: "client-edge\(i + 1)-\(id)"), out, id))
            }
        }
        let second = folder("out-edge3-second")
        watching.append((try startClient(brokerPort: edge3.port, subscribe: ["1AAA99"], output: second, name: "client-edge3-second"), second, "1AAA99"))
        for w in watching { try waitForLine(w.client, startingWith: "subscribed to \(w.producer)") }
        try waitUntil("every client saves 60 frames", timeout: 40) {
            watching.allSatisfy { savedCount($0.output, stream: "\($0.producer)01") >= 60 }
        }
        for w in watching { try checkFrames(w.output, producer: w.producer) }
        // Once per edge: what each edge received of a stream is what the stream's origin received.
        for (id, origin) in [("1AAA9901", cores[2]), ("2BBB7701", edge1)] {
            let atOrigin = try metric(origin, "broker_stream_datagrams_in_total", containing: id)
            for (i, e) in edges.enumerated() where e.port != origin.port {
                let atEdge = try metric(e, "broker_stream_datagrams_in_total", containing: id)
                print(String(format: "edges: %@ at edge%d: %.3f datagrams per origin datagram", id, i + 1, atEdge / atOrigin))
                XCTAssertGreaterThan(atEdge, 0, "edge\(i + 1) receives \(id)")
                XCTAssertLessThan(atEdge, atOrigin * 1.1, "edge\(i + 1) gets \(id) once, whatever its clients")
            }
        }
        try watching[4].client.type("list")
        try waitForLine(watching[4].client, containing: "2BBB77")
    }

    /// `kill -9` of an edge's upstream: the edge moves to the next of its list and its client keeps receiving.
    func testAnEdgeMovesWhenItsUpstreamIsKilled() throws {
        let cores = try startBrokerCluster(3)
        let edge = try startEdge("edge1", upstreams: [cores[0], cores[1]])
        try startProducer("1AAA99", brokerPort: cores[2].port, rate: 30, audio: false)
        try waitForProducerOnline("1AAA99", at: cores[2])
        let out = folder("out")
        let client = try startClient(brokerPort: edge.port, subscribe: ["1AAA99"], output: out, name: "client-edge")
        try waitForLine(client, startingWith: "subscribed to 1AAA99")
        try waitUntil("the client saves 30 frames", timeout: 30) { savedCount(out, stream: "1AAA9901") >= 30 }
        cores[0].process.expectAlive = false
        cores[0].process.signal(SIGKILL)
        try waitUntil("the edge moves to core 2", timeout: 20) { edge.process.stderr.contains("edge: upstream is now \(cores[1].address)") }
        try expectNoFrameLost(out, "kill -9 of the edge's upstream")
    }

    /// `kill -9` of a client's edge: the client, given two edges, moves to the other with no frame lost.
    func testAClientMovesWhenItsEdgeIsKilled() throws {
        let cores = try startBrokerCluster(3)
        let edges = try [startEdge("edge1", upstreams: [cores[0], cores[1]]), startEdge("edge2", upstreams: [cores[1], cores[0]])]
        try startProducer("1AAA99", brokerPort: cores[2].port, rate: 30, audio: false)
        try waitForProducerOnline("1AAA99", at: cores[2])
        let (client, out, on) = try startClient(given: edges, of: edges)
        try waitUntil("the client saves 30 frames", timeout: 30) { savedCount(out, stream: "1AAA9901") >= 30 }
        edges[on].process.expectAlive = false
        edges[on].process.signal(SIGKILL)
        try waitForLine(client, containing: "is gone; now on \(edges[1 - on].address)")
        try expectNoFrameLost(out, "kill -9 of the client's edge")
    }

    /// After a kill: 60 more frames saved, every one byte-identical to a source, none missing by number, none twice.
    func expectNoFrameLost(_ out: URL, _ what: String) throws {
        let before = savedCount(out, stream: "1AAA9901")
        try waitUntil("the client saves 60 more frames", timeout: 30) { savedCount(out, stream: "1AAA9901") >= before + 60 }
        try checkFrames(out, producer: "1AAA99")
        let s = scan(out)
        print("edges: \(what): \(s.missing) frames lost at the client, longest gap \(s.longestGapMs) ms")
        XCTAssertEqual(s.missing, 0, "\(what): frames lost")
        XCTAssertEqual(s.duplicates, 0, "\(what): a frame saved twice")
    }

    /// Two brokers each named as the other's upstream: the link is refused with a clear log line, not looped.
    func testALoopIsRefused() throws {
        let pA = try Ports.freeUDP(), pB = try Ports.freeUDP()
        let secret = ["--cluster-secret", ClusterTests.secret]
        let a = try startBroker(port: pA, metrics: true, name: "edgeA", extra: ["--upstream", "127.0.0.1:\(pB)"] + secret)
        let b = try startBroker(port: pB, metrics: true, name: "edgeB", extra: ["--upstream", "127.0.0.1:\(pA)"] + secret)
        try waitUntil("a loop is refused and said", timeout: 20) {
            (a.process.stderr + b.process.stderr).contains("would make a loop")
        }
        let refused = try metric(a, "broker_drops_total", containing: "tree_loop") + metric(b, "broker_drops_total", containing: "tree_loop")
        XCTAssertGreaterThan(refused, 0)
    }
}
