import Foundation
import XCTest

/// The status page and its API on a running broker (real executables over loopback): log in, read the figures,
/// disconnect a client and block a producer, and check what the clients and the producer see.
final class StatusPageTests: IntegrationTestCase {
    let password = "correct horse"

    func json(_ port: UInt16, _ path: String) throws -> [String: Any] {
        let r = try http(port, "GET", path, password: password)
        guard r.status == 200, let j = try JSONSerialization.jsonObject(with: Data(r.body.utf8)) as? [String: Any] else {
            throw HarnessFailure("GET \(path): \(r.status) \(r.body.prefix(300))")
        }
        return j
    }

    func stream(_ port: UInt16, _ id: String) throws -> [String: Any]? {
        (try json(port, "/api/streams")["streams"] as? [[String: Any]])?.first { $0["id"] as? String == id }
    }

    /// The address a client was told to bind (`--bind`), which is how the broker knows it.
    func boundAddress(_ p: ManagedProcess) -> String? {
        guard let args = p.process.arguments, let i = args.firstIndex(of: "--bind") else { return nil }
        return args[i + 1]
    }

    func testOperatorSeesFiguresDisconnectsAClientAndBlocksAProducer() throws {
        let broker = try startBroker(metrics: true, extra: ["--status-password", password])
        let port = try XCTUnwrap(broker.metricsPort)
        let producer = try startProducer("1AAA99", brokerPort: broker.port, rate: 30)
        try waitForProducerOnline("1AAA99", at: broker)
        let kept = try startClient(brokerPort: broker.port, subscribe: ["1AAA99"], name: "kept")
        let kicked = try startClient(brokerPort: broker.port, subscribe: ["1AAA9901"], name: "kicked")
        try waitForLine(kept, startingWith: "subscribed to 1AAA99")
        try waitForLine(kicked, startingWith: "subscribed to 1AAA9901")

        // The page: without credentials, to the login form (and no Basic challenge: one way to log in); with
        // Basic sent unasked (curl -u), the page.
        let anonymous = try http(port, "GET", "/status")
        XCTAssertEqual(anonymous.status, 303)
        XCTAssertEqual(anonymous.headers["location"], "/login")
        XCTAssertNil(anonymous.headers["www-authenticate"])
        XCTAssertNil(try http(port, "GET", "/api/status").headers["www-authenticate"])
        XCTAssertTrue(try http(port, "GET", "/login").body.contains("action=\"/login\""))
        let page = try http(port, "GET", "/status", password: password)
        XCTAssertEqual(page.status, 200)
        XCTAssertTrue(page.body.contains("<h2>Subscribers</h2>") && page.body.contains("/api/status"))
        XCTAssertEqual(try http(port, "GET", "/api/streams").status, 401, "the API needs the password too")
        XCTAssertEqual(try http(port, "GET", "/metrics").status, 200, "metrics stay open")
        XCTAssertEqual(try http(port, "GET", "/readyz").status, 200)

        // The figures: the stream flows, both clients are listed with their subscriptions, the history has it online.
        try waitUntil("the broker counts frames of 1AAA9901") { (try stream(port, "1AAA9901")?["frames_in"] as? Int ?? 0) > 10 }
        let video = try XCTUnwrap(try stream(port, "1AAA9901"))
        XCTAssertEqual(video["state"] as? String, "online")
        XCTAssertEqual(video["subscribers"] as? Int, 2)
        XCTAssertGreaterThan(video["bytes_in"] as? Int ?? 0, 0)
        let subscribers = try XCTUnwrap(try json(port, "/api/subscribers")["subscribers"] as? [[String: Any]])
        let kickedAddress = try XCTUnwrap(boundAddress(kicked))
        XCTAssertEqual(
            Set(subscribers.compactMap { $0["address"] as? String }),
            [boundAddress(kept), kickedAddress].compactMap { $0 }.reduce(into: Set()) { $0.insert($1) })
        XCTAssertEqual(subscribers.first { $0["address"] as? String == kickedAddress }?["subscriptions"] as? [String], ["1AAA9901"])
        let cluster = try json(port, "/api/cluster")
        XCTAssertEqual((cluster["self"] as? [String: Any])?["address"] as? String, broker.address)
        XCTAssertEqual((cluster["peer_links"] as? [Any])?.count, 0)
        let history = try XCTUnwrap(try json(port, "/api/history")["streams"] as? [[String: Any]])
        XCTAssertEqual((history.first { $0["id"] as? String == "1AAA9901" }?["events"] as? [[String: Any]])?.first?["state"] as? String, "online")

        // Disconnect: the client hears it, says so and stops; the other one keeps its stream.
        let cut = try http(port, "POST", "/api/subscribers/disconnect", password: password, form: "address=\(kickedAddress)")
        XCTAssertEqual(cut.status, 200, cut.body)
        try waitForLine(kicked, containing: "disconnected by the broker")
        XCTAssertEqual(try waitForExit(kicked, timeout: 10), 0)
        kicked.expectAlive = false
        try waitUntil("the broker lists one subscriber") { (try json(port, "/api/subscribers")["subscribers"] as? [Any])?.count == 1 }
        XCTAssertEqual(
            try http(port, "POST", "/api/subscribers/disconnect", password: password, form: "address=\(kickedAddress)").status, 404, "gone already")

        // An action from another site's page is refused even with the password.
        let forged = try http(
            port, "POST", "/api/producers/block", password: password, headers: [("Origin", "http://evil.example")], form: "id=1AAA99")
        XCTAssertEqual(forged.status, 403)
        XCTAssertEqual(try http(port, "GET", "/api/producers/block?id=1AAA99", password: password).status, 404, "actions are POST only")

        // Block: the stream goes offline for the client that stays, and the producer's HELLO is refused by name.
        XCTAssertEqual(try http(port, "POST", "/api/producers/block", password: password, form: "id=1AAA99").status, 200)
        try waitForLine(kept, containing: "stream 1AAA9901 is offline")
        try waitUntil("the producer logs that it is blocked") { producer.stderr.contains("refused producer 1AAA99 (not authorized): producer 1AAA99 is blocked") }
        XCTAssertEqual(try stream(port, "1AAA9901")?["state"] as? String, "offline")
        XCTAssertEqual(try json(port, "/api/streams")["blocked_producers"] as? [String], ["1AAA99"])
        XCTAssertTrue(producer.isRunning, "a blocked producer keeps trying, with backoff")

        // Unblock: it is let back in at its next HELLO and the client gets the stream again.
        XCTAssertEqual(try http(port, "POST", "/api/producers/unblock", password: password, form: "id=1AAA99").status, 200)
        try waitForLine(kept, containing: "stream 1AAA9901 is online", timeout: 30)
        let events = try XCTUnwrap(
            (try json(port, "/api/history")["streams"] as? [[String: Any]])?.first { $0["id"] as? String == "1AAA9901" }?["events"]
                as? [[String: Any]])
        XCTAssertEqual(events.compactMap { $0["state"] as? String }, ["online", "offline", "online"])

        // A wrong password is refused, and the next attempt from the same address is held off, even a right one.
        XCTAssertEqual(try http(port, "GET", "/api/streams", password: "wrong").status, 401)
        let held = try http(port, "GET", "/api/streams", password: password)
        XCTAssertEqual(held.status, 429)
        XCTAssertNotNil(held.headers["retry-after"])
        XCTAssertEqual(try http(port, "POST", "/login", form: "password=wrong").status, 429)
    }

    /// Guesses from 80 addresses, 3 each: the broker looks at no more passwords than its shared budget allows,
    /// while the operator's session cookie keeps working and the address it logged in from still gets in.
    func testGuessingFromManyAddressesIsBoundedInTotalWhileTheOperatorGetsIn() throws {
        let broker = try startBroker(metrics: true, extra: ["--status-password", password])
        let port = try XCTUnwrap(broker.metricsPort)
        let login = try http(port, "POST", "/login", form: "password=\(password.replacingOccurrences(of: " ", with: "+"))")
        XCTAssertEqual(login.status, 303)
        XCTAssertEqual(login.headers["location"], "/status")
        let cookie = try XCTUnwrap(login.headers["set-cookie"]?.components(separatedBy: ";").first)
        XCTAssertEqual(try http(port, "GET", "/status", headers: [("Cookie", cookie)]).status, 200, "logged in once, the page shows")
        let started = Date()
        var checked = 0
        var refused = 0
        for round in 0..<3 {
            for a in 1...80 {
                switch try http(port, "GET", "/api/streams", password: "guess\(round)", from: "127.0.9.\(a)").status {
                case 401: checked += 1
                case 429: refused += 1
                case let s: XCTFail("unexpected \(s)")
                }
            }
            XCTAssertEqual(try http(port, "GET", "/api/status", headers: [("Cookie", cookie)], from: "127.0.9.1").status, 200, "a cookie is never throttled")
        }
        let seconds = Int(Date().timeIntervalSince(started).rounded(.up)) + 1
        XCTAssertLessThanOrEqual(checked, 20 + 2 * seconds, "240 guesses from 80 addresses in \(seconds) s")
        XCTAssertGreaterThan(refused, 0)
        XCTAssertEqual(try http(port, "GET", "/api/streams", password: password).status, 200, "the address that logged in gets in")
        let metrics = try http(port, "GET", "/metrics").body
        XCTAssertTrue(metrics.contains("broker_status_password_checks_total{outcome=\"refused_global\"}"), "the refusals are counted")
    }

    func testWithoutAPasswordThePageSaysHowToSetOne() throws {
        let broker = try startBroker(metrics: true)
        let port = try XCTUnwrap(broker.metricsPort)
        let page = try http(port, "GET", "/status")
        XCTAssertEqual(page.status, 200)
        XCTAssertTrue(page.body.contains("STATUS_PASSWORD"))
        XCTAssertEqual(try http(port, "GET", "/api/streams", password: "").status, 403)
        XCTAssertEqual(try http(port, "POST", "/api/producers/block", password: "x", form: "id=1AAA99").status, 403)
        XCTAssertEqual(try http(port, "GET", "/healthz").status, 200)
    }

    func testLoginFormGivesASessionCookieThatNeedsTheCSRFTokenToAct() throws {
        let broker = try startBroker(metrics: true, extra: ["--status-password", password])
        let port = try XCTUnwrap(broker.metricsPort)
        let login = try http(port, "POST", "/login", form: "password=correct+horse")
        XCTAssertEqual(login.status, 303)
        let cookie = try XCTUnwrap(login.headers["set-cookie"]?.components(separatedBy: ";").first)
        let all = try http(port, "GET", "/api/status", headers: [("Cookie", cookie)])
        XCTAssertEqual(all.status, 200)
        let csrf = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(all.body.utf8)) as? [String: Any])?["csrf"] as? String)
        XCTAssertEqual(try http(port, "POST", "/api/producers/block", headers: [("Cookie", cookie)], form: "id=2BBB77").status, 403)
        XCTAssertEqual(
            try http(port, "POST", "/api/producers/block", headers: [("Cookie", cookie), ("X-CSRF-Token", csrf)], form: "id=2BBB77").status, 200)
        try waitUntil("the broker logs the block") { broker.process.stderr.contains("producer 2BBB77 blocked by the operator") }
    }
}
