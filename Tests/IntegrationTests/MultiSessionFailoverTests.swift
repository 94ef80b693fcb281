import Foundation
import XCTest

/// `loadgen --sessions N` given several brokers fails over as the interactive client does (issue 14's
/// bench runs hundreds of subscribers this way): each session starts on a broker of the list, and when that broker
/// is killed its sessions move to the other and their frames go on. Figures come from the SIGUSR1 reports.
final class MultiSessionFailoverTests: IntegrationTestCase {
    /// Asks the client for a report (SIGUSR1) and returns its sessions, as parsed JSON.
    func report(_ client: ManagedProcess) throws -> [[String: Any]] {
        let before = client.stdoutLines.filter { $0.hasPrefix("report ") }.count
        client.signal(SIGUSR1)
        try waitUntil("the client prints report \(before + 1)", timeout: 10) {
            client.stdoutLines.filter { $0.hasPrefix("report ") }.count > before
        }
        let line = client.stdoutLines.filter { $0.hasPrefix("report ") }[before]
        let json = try JSONSerialization.jsonObject(with: Data(line.dropFirst("report ".count).utf8)) as? [String: Any]
        return try XCTUnwrap(json?["sessions"] as? [[String: Any]], line)
    }

    func frames(_ session: [String: Any]) -> Int {
        let streams = session["streams"] as? [String: [String: Any]] ?? [:]
        return streams.values.reduce(0) { $0 + ($1["frames"] as? Int ?? 0) }
    }

    func testSessionsMoveWhenTheirBrokerIsKilled() throws {
        let brokers = try startBrokerCluster(3)
        try startProducer("1AAA99", brokerPort: brokers[0].port, rate: 30, audio: false)
        try waitForProducerOnline("1AAA99", at: brokers[0])
        let list = [brokers[1], brokers[2]].map(\.address).joined(separator: ",")
        let client = try launch(
            "loadgen", ["--broker", list, "--sessions", "4", "--subscribe", "1AAA9901", "--log-level", "info"],
            name: "client-x4")
        try waitUntil("the client's sessions start", timeout: 20) { client.stderr.contains("sessions started on") }
        // Every session receives (a report covers the time since the last one: the counts add up).
        var sessions: [[String: Any]] = []
        var got = [Int](repeating: 0, count: 4)
        try waitUntil("every session receives frames", timeout: 20) {
            sessions = try report(client)
            for (i, s) in sessions.enumerated() where i < 4 { got[i] += frames(s) }
            return sessions.count == 4 && got.allSatisfy { $0 > 0 }
        }
        // Kill the broker most sessions are on (both are used unless the 4 random starts agree).
        let on = sessions.map { $0["broker"] as? String ?? "" }
        let victim = [brokers[1], brokers[2]].max { a, b in on.filter { $0 == a.address }.count < on.filter { $0 == b.address }.count }!
        let survivor = victim.port == brokers[1].port ? brokers[2] : brokers[1]
        let moving = on.filter { $0 == victim.address }.count
        victim.process.expectAlive = false
        victim.process.signal(SIGKILL)
        var moves = 0
        var repeated = 0
        var gaps: [Double] = []
        try waitUntil("every session is on \(survivor.address)", timeout: 15) {
            sessions = try report(client)
            moves += sessions.reduce(0) { $0 + ($1["moves"] as? Int ?? 0) }
            return sessions.allSatisfy { $0["broker"] as? String == survivor.address }
        }
        // Frames go on after the move in every session.
        got = [Int](repeating: 0, count: 4)
        try waitUntil("every session receives frames on \(survivor.address)", timeout: 15) {
            let r = try report(client)
            moves += r.reduce(0) { $0 + ($1["moves"] as? Int ?? 0) }
            sessions += r
            for (i, s) in r.enumerated() where i < 4 { got[i] += frames(s) }
            return got.allSatisfy { $0 > 0 }
        }
        for s in sessions {
            for st in (s["streams"] as? [String: [String: Any]] ?? [:]).values {
                repeated += st["repeated"] as? Int ?? 0
                gaps.append(st["gap_ms"] as? Double ?? 0)
            }
        }
        print("multi-session kill -9: \(moving) of 4 sessions moved, longest gap \(gaps.max() ?? 0) ms")
        XCTAssertEqual(moves, moving, "each session on the killed broker moves once, the others stay")
        XCTAssertEqual(repeated, 0, "no frame handed on twice")
        client.signal(SIGTERM)
        XCTAssertEqual(try waitForExit(client, timeout: 10), 0)
        XCTAssertTrue(client.stdout.contains("summary 1AAA9901: "), client.logTail())
    }
}
