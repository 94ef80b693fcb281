import Foundation
import XCTest

/// No false move on a loaded host (issue 21, point 9), with the real executables: busy loops on every core beside a
/// three-broker cluster, a producer and two clients all given every broker. For about ten seconds every process
/// waits for the CPU, the brokers too; none of them is gone, so no producer or client may leave its broker.
final class LoadedHostTests: IntegrationTestCase {
    /// One busy loop per core, at the same priority as the cluster; stopped (and reaped) by the caller.
    func busyLoops() throws -> [Process] {
        try (0..<max(2, ProcessInfo.processInfo.activeProcessorCount)).map { _ in
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/sh")
            p.arguments = ["-c", "while :; do :; done"]
            try p.run()
            return p
        }
    }

    func testABusyHostMovesNobody() throws {
        let brokers = try startBrokerCluster(3)
        let list = brokers.map(\.address).joined(separator: ",")
        let producer = try launch(
            "producer",
            ["--broker", list, "--bind", try Ports.freeLocalAddress(), "--id", "1AAA99", "--frames", Paths.frames("1AAA99").path, "--rate", "30"],
            name: "producer-1AAA99")
        try waitUntil("the producer connects") { producer.stderr.contains("connected to broker") }
        let outputs = [folder("out0"), folder("out1")]
        let clients = try outputs.enumerated().map { i, out in
            try launch(
                "client",
                ["--broker", list, "--bind", try Ports.freeLocalAddress(), "--headless", "--subscribe", "1AAA9901", "--output", out.path],
                name: "client\(i)")
        }
        for (i, out) in outputs.enumerated() {
            try waitUntil("client\(i) saves 30 frames", timeout: 30) { savedCount(out, stream: "1AAA9901") >= 30 }
        }
        let before = outputs.map { savedCount($0, stream: "1AAA9901") }
        let loops = try busyLoops()
        let start = monotonicNow()
        while monotonicNow() - start < 10 { usleep(100_000) }
        for p in loops {
            p.terminate()
            p.waitUntilExit()
        }
        let saved = zip(outputs, before).map { savedCount($0, stream: "1AAA9901") - $1 }
        let clientMoves = clients.map { $0.stderr.components(separatedBy: "moved from broker").count - 1 }
        let producerMoves = producer.stderr.components(separatedBy: "is gone; now on").count - 1
        print("loaded-host: \(loops.count) busy loops for 10 s: frames saved \(saved), client moves \(clientMoves), producer moves \(producerMoves)")
        XCTAssertEqual(clientMoves, [0, 0], "a client left a live broker\n\(diagnostics())")
        XCTAssertEqual(producerMoves, 0, "the producer left a live broker\n\(diagnostics())")
        for (i, n) in saved.enumerated() { XCTAssertGreaterThan(n, 60, "client\(i) kept receiving while the host was busy") }
    }
}
