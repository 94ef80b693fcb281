import HTTP

/// Who may see the status page and the API and act on them. Open paths (/metrics, /healthz, /readyz) never come
/// here. With no password set, nothing is shown (the page says how to set one). Otherwise a request passes with a
/// login session cookie (never throttled), or with HTTP Basic (any user name, the password compared in constant
/// time) when the client sends it unasked, as curl -u does: nothing here sends a Basic challenge, so a browser
/// asks for the password once, on the login form. Passwords are slowed down per source address and in total by a
/// `LoginThrottle`. An action (a POST that changes the
/// broker) must also come from this page: an `Origin` (or `Sec-Fetch-Site`) naming another site is refused, and a
/// cookie session must send its CSRF token in `X-CSRF-Token`.
public struct StatusGate: Sendable {
    public enum Decision: Sendable, Equatable {
        /// Go ahead; `csrf` is the session's CSRF token when it came with a cookie.
        case allowed(csrf: String?)
        case refused(HTTPResponse)
    }

    public static let realm = "vbroker status"
    public let password: String?
    public private(set) var throttle = LoginThrottle<String>()
    public private(set) var sessions = StatusSessions()

    public init(password: String?) {
        self.password = password.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Decides for a request to the page, the API or an action. `source` is the client's address without its port.
    public mutating func check(_ r: HTTPRequest, source: String, now: Int64, action: Bool, page: Bool) -> Decision {
        guard let password else {
            return .refused(.text(403, "the status page is off: set STATUS_PASSWORD (or --status-password) and restart the broker\n"))
        }
        if let (_, s) = sessions.session(cookieHeader: r.headers["Cookie"], now: now) {
            if action {
                if let refusal = Self.crossSite(r) { return .refused(refusal) }
                guard let sent = r.headers["X-CSRF-Token"], ConstantTime.equal(sent, s.csrf) else {
                    return .refused(.text(403, "missing or wrong X-CSRF-Token for this session\n"))
                }
            }
            return .allowed(csrf: s.csrf)
        }
        guard let credentials = BasicAuth.parse(r.headers["Authorization"]) else {
            return .refused(Self.unauthorized(page: page, "log in: POST /login, or HTTP Basic sent with the request (curl -u any:PASSWORD)\n"))
        }
        if let until = throttle.admit(source, now: now) { return .refused(Self.tooSoon(until: until, now: now)) }
        guard ConstantTime.equal(credentials.password, password) else {
            throttle.failed(source, now: now)
            return .refused(Self.unauthorized(page: page, "wrong password\n"))
        }
        throttle.succeeded(source, now: now)
        if action, let refusal = Self.crossSite(r) { return .refused(refusal) }
        return .allowed(csrf: nil)
    }

    /// POST /login with a form body `password=...`: a session cookie and a redirect to /status, or 401.
    public mutating func login(_ r: HTTPRequest, source: String, now: Int64, random: () -> UInt64) -> HTTPResponse {
        guard let password else { return .text(403, "the status page is off: set STATUS_PASSWORD and restart the broker\n") }
        if let refusal = Self.crossSite(r) { return refusal }
        if let until = throttle.admit(source, now: now) { return Self.tooSoon(until: until, now: now) }
        let form = HTTPRequest(method: "GET", target: "/?" + String(decoding: r.body, as: UTF8.self))
        guard let sent = form.queryItem("password"), ConstantTime.equal(sent, password) else {
            throttle.failed(source, now: now)
            return HTTPResponse(
                status: 401, contentType: "text/html; charset=utf-8", body: Array(StatusPageHTML.login(error: "Wrong password.").utf8))
        }
        throttle.succeeded(source, now: now)
        let (token, _) = sessions.open(now: now, random: random)
        let cookie = "\(StatusSessions.cookieName)=\(token); Path=/; HttpOnly; SameSite=Strict; Max-Age=\(StatusSessions.lifetime / 1_000_000)"
        return HTTPResponse(status: 303, body: Array("logged in\n".utf8), headers: [("Location", "/status"), ("Set-Cookie", cookie)])
    }

    /// POST /logout: the session ends and its cookie is cleared.
    public mutating func logout(_ r: HTTPRequest, now: Int64) -> HTTPResponse {
        if let (token, _) = sessions.session(cookieHeader: r.headers["Cookie"], now: now) { sessions.close(token) }
        let clear = "\(StatusSessions.cookieName)=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"
        return HTTPResponse(status: 303, body: Array("logged out\n".utf8), headers: [("Location", "/login"), ("Set-Cookie", clear)])
    }

    /// Not logged in: the page goes to the login form (one way to log in, no Basic dialog on top of it); anything
    /// else gets a plain 401 without a challenge, so a page polling with an expired cookie never makes the browser
    /// ask.
    private static func unauthorized(page: Bool, _ text: String) -> HTTPResponse {
        if page { return HTTPResponse(status: 303, body: Array("log in at /login\n".utf8), headers: [("Location", "/login")]) }
        return HTTPResponse(status: 401, body: Array(text.utf8))
    }

    private static func tooSoon(until: Int64, now: Int64) -> HTTPResponse {
        let seconds = max(1, (until - now + 999_999) / 1_000_000)
        return HTTPResponse(
            status: 429, body: Array("too many wrong passwords; try again in \(seconds) s\n".utf8),
            headers: [("Retry-After", String(seconds))])
    }

    /// A refusal when the request says it comes from another site: `Sec-Fetch-Site` other than same-origin or none
    /// (a page cannot set it), or, from a browser without it, `Origin` not this host (a browser sends it with every
    /// POST). Requests with neither (curl) pass. `Sec-Fetch-Site` decides when present: a page served with
    /// `Referrer-Policy: no-referrer` makes Chromium send `Origin: null` with its own same-origin form.
    static func crossSite(_ r: HTTPRequest) -> HTTPResponse? {
        if let site = r.headers["Sec-Fetch-Site"] {
            guard site == "same-origin" || site == "none" else { return .text(403, "cross-site request refused (Sec-Fetch-Site: \(site))\n") }
            return nil
        }
        guard let origin = r.headers["Origin"] else { return nil }
        let host = r.headers["Host"] ?? ""
        guard !host.isEmpty, origin == "http://" + host || origin == "https://" + host else {
            return .text(403, "cross-site request refused (Origin does not match Host)\n")
        }
        return nil
    }
}
