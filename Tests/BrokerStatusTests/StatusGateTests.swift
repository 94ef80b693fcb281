import HTTP
import XCTest

@testable import BrokerStatus

final class StatusGateTests: XCTestCase {
    func basic(_ user: String, _ password: String) -> String {
        "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
    }

    func request(_ method: String = "GET", _ path: String = "/api/streams", _ headers: [(String, String)] = [], body: String = "") -> HTTPRequest {
        HTTPRequest(method: method, target: path, headers: HTTPHeaders(headers), body: Array(body.utf8))
    }

    func request(_ headers: [(String, String)]) -> HTTPRequest { request("GET", "/api/streams", headers) }

    func status(_ d: StatusGate.Decision) -> Int {
        switch d {
        case .allowed: 200
        case .refused(let r): r.status
        }
    }

    // MARK: Pieces

    func testBasicAuthParsing() {
        XCTAssertEqual(BasicAuth.parse(basic("status", "s3cr:et")), BasicAuth(user: "status", password: "s3cr:et"))
        XCTAssertEqual(BasicAuth.parse("basic " + Data("u:".utf8).base64EncodedString()), BasicAuth(user: "u", password: ""))
        XCTAssertEqual(BasicAuth.parse("Basic  " + Data("a:b".utf8).base64EncodedString() + " "), BasicAuth(user: "a", password: "b"))
        for bad in [nil, "", "Basic", "Bearer abc", "Basic !!!!", "Basic YWJj", "Basic YQ=", "Basic " + String(repeating: "A", count: 2000)] {
            XCTAssertNil(BasicAuth.parse(bad), "\(bad ?? "nil")")
        }
    }

    func testBase64DecodingMatchesFoundation() {
        var rng = SystemRandomNumberGenerator()
        for n in 0..<64 {
            let bytes = (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let text = Data(bytes).base64EncodedString()
            XCTAssertEqual(BasicAuth.base64Decode(Substring(text)), bytes)
        }
    }

    func testConstantTimeEquality() {
        XCTAssertTrue(ConstantTime.equal("secret", "secret"))
        XCTAssertTrue(ConstantTime.equal("", ""))
        XCTAssertFalse(ConstantTime.equal("secret", "secreT"))
        XCTAssertFalse(ConstantTime.equal("secret", "secret2"))
        XCTAssertFalse(ConstantTime.equal("secret2", "secret"))
        XCTAssertFalse(ConstantTime.equal("", "a"))
        XCTAssertFalse(ConstantTime.equal([0, 0], [0]), "a trailing zero is not padding")
    }

    func testThrottleDoublesThePenaltyAndForgets() {
        var t = LoginThrottle<String>()
        XCTAssertNil(t.blockedUntil("a", now: 0))
        XCTAssertEqual(t.failed("a", now: 0), LoginThrottle<String>.baseDelay)
        XCTAssertNotNil(t.blockedUntil("a", now: 1))
        XCTAssertNil(t.blockedUntil("b", now: 1), "per source")
        XCTAssertNil(t.blockedUntil("a", now: LoginThrottle<String>.baseDelay))
        XCTAssertEqual(t.failed("a", now: 1_000_000), 1_000_000 + 2 * LoginThrottle<String>.baseDelay)
        var now: Int64 = 2_000_000
        for _ in 0..<20 { now = t.failed("a", now: now) }
        XCTAssertEqual(t.blockedUntil("a", now: now - 1), now, "capped")
        let start = now
        XCTAssertEqual(t.failed("a", now: start + 1) - (start + 1), LoginThrottle<String>.maxDelay)
        let later = start + LoginThrottle<String>.forgetAfter + 10
        XCTAssertEqual(t.failed("a", now: later), later + LoginThrottle<String>.baseDelay, "old failures are forgotten")
        t.succeeded("a", now: later)
        XCTAssertNil(t.blockedUntil("a", now: later + 1))
    }

    func testThrottleIsBoundedInSources() {
        var t = LoginThrottle<Int>()
        for i in 0..<(LoginThrottle<Int>.maxSources + 100) { t.failed(i, now: Int64(i)) }
        XCTAssertEqual(t.trackedSources, LoginThrottle<Int>.maxSources)
    }

    func testCookieParsing() {
        XCTAssertEqual(StatusSessions.cookie("vbstatus", in: "a=1; vbstatus=abc; b=2"), "abc")
        XCTAssertNil(StatusSessions.cookie("vbstatus", in: "a=1; xvbstatus=abc"))
        XCTAssertNil(StatusSessions.cookie("vbstatus", in: nil))
    }

    // MARK: The gate

    func testNoPasswordShowsNothing() {
        var g = StatusGate(password: "")
        XCTAssertNil(g.password)
        XCTAssertEqual(status(g.check(request([("Authorization", basic("a", ""))]), source: "s", now: 0, action: false, page: false)), 403)
    }

    func testBasicAuthRightAndWrongAndThrottled() {
        var g = StatusGate(password: "pw")
        XCTAssertEqual(status(g.check(request(), source: "s", now: 0, action: false, page: false)), 401, "no credentials")
        XCTAssertEqual(status(g.check(request([("Authorization", basic("any", "pw"))]), source: "s", now: 0, action: false, page: false)), 200)
        XCTAssertEqual(status(g.check(request([("Authorization", basic("any", "nope"))]), source: "s", now: 10, action: false, page: false)), 401)
        // Too soon after a failure: 429 even with the right password, without checking it.
        guard case .refused(let r) = g.check(request([("Authorization", basic("any", "pw"))]), source: "s", now: 20, action: false, page: false)
        else {
            return XCTFail("not throttled")
        }
        XCTAssertEqual(r.status, 429)
        XCTAssertEqual(r.headers["Retry-After"], "1")
        XCTAssertEqual(
            status(g.check(request([("Authorization", basic("any", "pw"))]), source: "t", now: 20, action: false, page: false)), 200, "another source"
        )
        XCTAssertEqual(
            status(
                g.check(
                    request([("Authorization", basic("any", "pw"))]), source: "s", now: 10 + LoginThrottle<String>.baseDelay, action: false,
                    page: false)), 200)
    }

    func testActionsRefuseOtherSites() {
        var g = StatusGate(password: "pw")
        let auth = ("Authorization", basic("a", "pw"))
        let host = ("Host", "127.0.0.1:9090")
        XCTAssertEqual(
            status(g.check(request("POST", "/api/x", [auth, host]), source: "s", now: 0, action: true, page: false)), 200, "curl: no Origin")
        XCTAssertEqual(
            status(
                g.check(request("POST", "/api/x", [auth, host, ("Origin", "http://127.0.0.1:9090")]), source: "s", now: 0, action: true, page: false)),
            200)
        XCTAssertEqual(
            status(
                g.check(request("POST", "/api/x", [auth, host, ("Origin", "http://evil.example")]), source: "s", now: 0, action: true, page: false)),
            403)
        XCTAssertEqual(
            status(
                g.check(request("POST", "/api/x", [auth, host, ("Sec-Fetch-Site", "cross-site")]), source: "s", now: 0, action: true, page: false)),
            403)
        XCTAssertEqual(
            status(
                g.check(
                    request("POST", "/api/x", [auth, host, ("Origin", "null"), ("Sec-Fetch-Site", "same-origin")]), source: "s", now: 0, action: true,
                    page: false)), 200, "Chromium's own form under a no-referrer policy: Sec-Fetch-Site decides")
        XCTAssertEqual(
            status(
                g.check(request("GET", "/api/x", [auth, host, ("Origin", "http://evil.example")]), source: "s", now: 0, action: false, page: false)),
            200, "reads are not actions")
    }

    func testLoginCookieAndCSRF() {
        var g = StatusGate(password: "pw")
        var n: UInt64 = 0
        let random = { () -> UInt64 in
            n += 0x1234_5678_9abc
            return n
        }
        let wrong = g.login(request("POST", "/login", body: "password=no"), source: "s", now: 0, random: random)
        XCTAssertEqual(wrong.status, 401)
        let ok = g.login(request("POST", "/login", body: "password=pw"), source: "s", now: LoginThrottle<String>.baseDelay, random: random)
        XCTAssertEqual(ok.status, 303)
        guard let setCookie = ok.headers["Set-Cookie"], let token = StatusSessions.cookie("vbstatus", in: String(setCookie.split(separator: ";")[0]))
        else {
            return XCTFail("no cookie")
        }
        XCTAssertTrue(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict"))
        let cookie = ("Cookie", "vbstatus=\(token)")
        guard case .allowed(let csrf?) = g.check(request("GET", "/api/status", [cookie]), source: "s", now: 1, action: false, page: false) else {
            return XCTFail("the session cookie is not accepted")
        }
        XCTAssertEqual(status(g.check(request("POST", "/api/x", [cookie]), source: "s", now: 1, action: true, page: false)), 403, "no CSRF token")
        XCTAssertEqual(
            status(g.check(request("POST", "/api/x", [cookie, ("X-CSRF-Token", "x")]), source: "s", now: 1, action: true, page: false)), 403)
        XCTAssertEqual(
            status(g.check(request("POST", "/api/x", [cookie, ("X-CSRF-Token", csrf)]), source: "s", now: 1, action: true, page: false)), 200)
        XCTAssertEqual(
            status(
                g.check(
                    request("GET", "/api/status", [cookie]), source: "s", now: StatusSessions.lifetime + LoginThrottle<String>.baseDelay,
                    action: false, page: false)), 401,
            "expired")
        _ = g.logout(request("POST", "/logout", [cookie]), now: 2)
        XCTAssertEqual(status(g.check(request("GET", "/api/status", [cookie]), source: "s", now: 3, action: false, page: false)), 401)
    }

    func testThePageSendsToTheLoginFormWithoutABasicChallenge() {
        var g = StatusGate(password: "pw")
        guard case .refused(let r) = g.check(request("GET", "/status"), source: "s", now: 0, action: false, page: true) else { return XCTFail() }
        XCTAssertEqual(r.status, 303)
        XCTAssertEqual(r.headers["Location"], "/login")
        XCTAssertNil(r.headers["WWW-Authenticate"], "one way to log in: the form, no browser dialog on top")
        guard case .refused(let api) = g.check(request(), source: "s", now: 0, action: false, page: false) else { return XCTFail() }
        XCTAssertEqual(api.status, 401)
        XCTAssertNil(api.headers["WWW-Authenticate"], "a page polling with an expired cookie must not make the browser ask")
        XCTAssertTrue(StatusPageHTML.login(error: nil).contains("<form method=\"post\" action=\"/login\""))
    }

    /// 5,000 addresses guessing 3 times each, 2,000 guesses a second: the shared bucket, not the per-address
    /// back-off (which forgets past 4,096 addresses), bounds how many passwords are looked at.
    func testGuessingFromManyAddressesIsBoundedInTotal() {
        typealias T = LoginThrottle<String>
        var g = StatusGate(password: "pw")
        var checked = 0
        var now: Int64 = 1_000_000
        for round in 0..<3 {
            for a in 0..<5000 {
                now += 500
                let auth = ("Authorization", basic("x", "guess\(round)-\(a)"))
                if status(g.check(request([auth]), source: "10.\(a / 250).\(a % 250).1", now: now, action: false, page: false)) == 401 {
                    checked += 1
                }
            }
        }
        let seconds = (now - 1_000_000) / 1_000_000 + 1
        XCTAssertEqual(g.throttle.counters.checked, checked)
        XCTAssertLessThanOrEqual(checked, Int(T.globalBurst + T.globalPerSecond * seconds), "15,000 guesses in \(seconds) s")
        XCTAssertGreaterThan(g.throttle.counters.refusedGlobal, 14_000)
        // During the storm: a session cookie is never throttled, and an address that logged in before still gets in.
        XCTAssertEqual(status(g.check(request([("Authorization", basic("x", "guess"))]), source: "new", now: now, action: false, page: false)), 429)
        var h = StatusGate(password: "pw")
        var n: UInt64 = 7
        let login = h.login(
            request("POST", "/login", body: "password=pw"), source: "op", now: 0,
            random: {
                n += 0x9e37_79b9
                return n
            })
        let cookie = ("Cookie", String(login.headers["Set-Cookie"]!.split(separator: ";")[0]))
        for a in 0..<1000 {
            _ = h.check(request([("Authorization", basic("x", "no"))]), source: "g\(a)", now: 1000 + Int64(a), action: false, page: false)
        }
        XCTAssertEqual(status(h.check(request("GET", "/api/status", [cookie]), source: "op", now: 2000, action: false, page: false)), 200)
        XCTAssertEqual(status(h.check(request("GET", "/api/status", [cookie]), source: "g1", now: 2000, action: false, page: false)), 200)
        XCTAssertEqual(status(h.check(request([("Authorization", basic("x", "pw"))]), source: "op", now: 2000, action: false, page: false)), 200)
        XCTAssertEqual(status(h.check(request([("Authorization", basic("x", "pw"))]), source: "g999", now: 2000, action: false, page: false)), 429)
    }
}
