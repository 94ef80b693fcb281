import Foundation
import XCTest

/// HTTP readers of the viewer's streams (issue 19) as raw sockets: slow and silent ones beside normal ones, and the
/// lifetime of the subscription the readers share.
final class PlayerReaderTests: IntegrationTestCase {
    /// One reader of `/streams/1AAA99.mjpg` on its own thread, checking each part against the source frames.
    final class NormalReader: @unchecked Sendable {
        let raw: RawStreamReader
        private let counts = Atomic((parts: 0, mismatched: 0))
        private let stop = Atomic(false)
        private let done = DispatchSemaphore(value: 0)

        init(port: UInt16, sources: SourceSet) throws {
            raw = try RawStreamReader(port: port, path: "/streams/1AAA99.mjpg")
            let head = try raw.readHead()
            guard raw.status == 200 else { throw HarnessFailure("a normal reader got \(head)") }
            let t = Thread { [self] in
                defer { done.signal() }
                while !stop.value, let part = try? raw.nextPart() {
                    let ok = sources.byBytes[Data(part)] != nil
                    var c = counts.value
                    c.parts += 1
                    if !ok { c.mismatched += 1 }
                    counts.value = c
                }
            }
            t.start()
        }

        var parts: Int { counts.value.parts }
        var mismatched: Int { counts.value.mismatched }

        func finish() {
            stop.value = true
            shutdown(raw.connection.fd, Int32(SHUT_RDWR))
            done.wait()
            raw.close()
        }
    }

    /// Ten normal readers, one that reads 1 KB/s and one that never reads: the normal ones get every frame the
    /// viewer sent them, whole and identical to a source frame, with none dropped; the slow one's drops are counted;
    /// the silent one is closed as too slow after the stall timeout; memory stays bounded; the prompt and the page
    /// keep answering.
    func testSlowAndSilentReadersBesideTenNormalOnes() throws {
        let v = try startViewer()
        let sources = try SourceSet(folder: Paths.frames("1AAA99"))
        let normal = try (0..<10).map { _ in try NormalReader(port: v.webPort, sources: sources) }
        defer { for r in normal { r.finish() } }
        try waitUntil("every normal reader has a frame") { normal.allSatisfy { $0.parts > 0 } }
        let baseline = try XCTUnwrap(residentKB(v.client))

        let slow = try RawStreamReader(port: v.webPort, path: "/streams/1AAA99.mjpg", receiveBuffer: 2048)
        let silent = try RawStreamReader(port: v.webPort, path: "/streams/1AAA99.mjpg", receiveBuffer: 2048)
        defer {
            slow.close()
            silent.close()
        }
        _ = try slow.readHead()
        let stopSlow = Atomic(false)
        let slowDone = DispatchSemaphore(value: 0)
        let slowThread = Thread {
            defer { slowDone.signal() }
            // Paces the slow reader at 1 KB a second; nothing waits on this thread's timing.
            while !stopSlow.value && slow.fill(max: 1024) { usleep(1_000_000) }
        }
        slowThread.start()
        defer {
            stopSlow.value = true
            shutdown(slow.connection.fd, Int32(SHUT_RDWR))
            slowDone.wait()
        }

        var peakKB = baseline
        func sampleMemory() { peakKB = max(peakKB, residentKB(v.client) ?? 0) }
        let slowPeer = ":\(slow.localPort)"
        try waitUntil("the slow reader has frames dropped, counted in /api/readers") {
            sampleMemory()
            return try readerFigures(v).readers.first { $0.peer.hasSuffix(slowPeer) }.map { $0.framesDropped > 0 } ?? false
        }

        // The prompt and the page answer while the slow and silent readers hang on.
        try v.client.type("list")
        try waitForLine(v.client, containing: "1AAA9901 video")
        let page = try httpGet(port: v.webPort, path: "/")
        XCTAssertEqual(page.status, 200)
        XCTAssertTrue(page.body.contains("<html"), "the page")

        let silentPeer = ":\(silent.localPort)"
        try waitUntil("the silent reader is closed as too slow", timeout: 40) {
            sampleMemory()
            let f = try readerFigures(v)
            return !f.readers.contains { $0.peer.hasSuffix(silentPeer) } && (f.streams["1AAA9901"]?.closedSlow ?? 0) >= 1
        }

        // Every frame the viewer sent a normal reader arrived whole; none was dropped for any of them.
        let figures = try readerFigures(v).readers
        let normalPorts = Set(normal.map { ":\($0.raw.localPort)" })
        let theirs = figures.filter { f in normalPorts.contains { f.peer.hasSuffix($0) } }
        XCTAssertEqual(theirs.count, 10, "/api/readers lists the ten normal readers: \(figures)")
        for f in theirs {
            XCTAssertEqual(f.framesDropped, 0, "frames dropped for a normal reader \(f.peer)")
            XCTAssertGreaterThan(f.framesSent, 100, "a normal reader got frames all along (\(f.peer))")
        }
        for (r, f) in zip(normal, normal.map { r in theirs.first { $0.peer.hasSuffix(":\(r.raw.localPort)") } }) {
            let sent = f?.framesSent ?? .max
            try waitUntil("a normal reader has read the \(sent) frames sent to it") { r.parts >= sent }
            XCTAssertEqual(r.mismatched, 0, "parts that are no source frame")
        }
        let grownMB = Double(peakKB - baseline) / 1024
        XCTAssertLessThan(grownMB, 64, "the client's memory grew by \(grownMB) MB with a slow and a silent reader")
        XCTAssertTrue(v.client.isRunning)
        XCTAssertEqual(try httpGet(port: v.webPort, path: "/").status, 200)
    }

    /// The reader's subscription: made by the first reader, kept for a reader that comes back within the grace,
    /// ended after the last one leaves; one typed at the prompt stays when its readers leave.
    func testReadersShareOneSubscriptionThatEndsAfterTheLastLeaves() throws {
        let v = try startViewer([("1AAA99", 24), ("2BBB77", 24)])
        let broker = v.broker.process
        func count(_ text: String) -> Int { broker.stderr.components(separatedBy: text).count - 1 }
        func read(_ path: String) throws -> RawStreamReader {
            let r = try RawStreamReader(port: v.webPort, path: path)
            _ = try r.readHead()
            guard r.status == 200, try r.nextPart() != nil else { throw HarnessFailure("\(path): no frame: \(r.head)") }
            return r
        }

        // Two readers at once share one subscription; one that comes back at once does not re-join.
        let a = try read("/streams/1AAA99.mjpg")
        let b = try read("/streams/1AAA99.mjpg")
        try waitUntil("the broker logs the readers' subscription") { count(" subscribed to 1AAA9901") >= 1 }
        XCTAssertEqual(try subscriptions(v.client), "1AAA9901")
        a.close()
        b.close()
        let again = try read("/streams/1AAA99.mjpg")
        again.close()
        try waitUntil("the broker sees the reader's subscription end after the grace") { count("unsubscribed from 1AAA9901") == 1 }
        XCTAssertEqual(count(" subscribed to 1AAA9901"), 1, "one subscription for the two readers and the one that came back within the grace")
        XCTAssertEqual(try subscriptions(v.client), "none")

        // Typed at the prompt, it stays when the readers leave: a reader of 2BBB77 opened and closed beside it shows
        // when the grace of both has passed.
        try command(v.client, "subscribe 1AAA9901", answer: "subscribed to 1AAA9901")
        let c = try read("/streams/1AAA99.mjpg")
        let d = try read("/streams/2BBB77.mjpg")
        c.close()
        d.close()
        try waitUntil("the 2BBB77 reader's subscription ends after the grace") { count("unsubscribed from 2BBB7701") == 1 }
        XCTAssertEqual(count("unsubscribed from 1AAA9901"), 1, "the prompt's subscription was ended by a reader leaving")
        XCTAssertEqual(try subscriptions(v.client), "1AAA9901")

        // A reader of a stream the prompt holds through its producer selector leaves that alone too, and makes no
        // answer appear at the prompt that nobody asked for. (The 2BBB77 marker sorts after 1AAA99's streams: the
        // client sends the unsubscriptions whose grace ended in that order.)
        try v.client.type("unsubscribe 1AAA9901")
        try waitUntil("the prompt's unsubscribe reaches the broker") { count("unsubscribed from 1AAA9901") == 2 }
        try command(v.client, "subscribe 1AAA99", answer: "subscribed to 1AAA99")
        let e = try read("/streams/1AAA99.mjpg")
        let f = try read("/streams/2BBB77.mjpg")
        e.close()
        f.close()
        try waitUntil("the 2BBB77 reader's subscription ends after the grace") { count("unsubscribed from 2BBB7701") == 2 }
        XCTAssertEqual(count("unsubscribed from 1AAA99"), 2, "only the earlier unsubscriptions of 1AAA9901")
        XCTAssertEqual(try subscriptions(v.client), "1AAA99")
        XCTAssertFalse(v.client.stdout.contains("through 1AAA99"), "an answer nobody asked for at the prompt:\n\(v.client.stdout)")
    }

    /// Types `line` at the prompt and waits for a new answer that is `answer` followed by nothing or " " / ",".
    private func command(_ client: ManagedProcess, _ line: String, answer: String) throws {
        func answers() -> Int {
            client.stdoutLines.filter { $0 == answer || $0.hasPrefix(answer + " ") || $0.hasPrefix(answer + ",") }.count
        }
        let before = answers()
        try client.type(line)
        try waitUntil("'\(line)' is answered '\(answer)'") { answers() > before }
    }

    /// The client's subscriptions as Enter alone shows them (`broker …: connected; subscriptions: …`).
    private func subscriptions(_ client: ManagedProcess) throws -> String {
        let before = client.stdoutLines.filter { $0.hasPrefix("broker ") }.count
        try client.type("")
        let line = try waitForLine(client, startingWith: "broker ", count: before + 1)
        return line.components(separatedBy: "subscriptions: ").last ?? line
    }
}
