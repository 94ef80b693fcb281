/// Login sessions of the status page: a random token in an HttpOnly, SameSite=Strict cookie, and per session a
/// second random token the page must send with every action (`X-CSRF-Token`), which another site's page cannot
/// read. Bounded: at most `maxSessions` (the one that expires first makes room), each for `lifetime`.
public struct StatusSessions: Sendable {
    public static let cookieName = "vbstatus"
    public static let maxSessions = 64
    /// 12 hours, µs.
    public static let lifetime: Int64 = 12 * 3_600_000_000

    public struct Session: Sendable, Equatable {
        public let csrf: String
        public let expires: Int64
    }

    private var byToken: [String: Session] = [:]

    public init() {}

    public var count: Int { byToken.count }

    /// Opens a session; returns its cookie token and CSRF token. `random` must be a cryptographic source.
    public mutating func open(now: Int64, random: () -> UInt64) -> (token: String, csrf: String) {
        byToken = byToken.filter { $0.value.expires > now }
        if byToken.count >= Self.maxSessions, let first = byToken.min(by: { $0.value.expires < $1.value.expires }) {
            byToken[first.key] = nil
        }
        let token = Self.hex(random(), random())
        let csrf = Self.hex(random(), random())
        byToken[token] = Session(csrf: csrf, expires: now + Self.lifetime)
        return (token, csrf)
    }

    /// The live session whose token the request's Cookie header carries.
    public func session(cookieHeader: String?, now: Int64) -> (token: String, session: Session)? {
        guard let token = Self.cookie(Self.cookieName, in: cookieHeader) else { return nil }
        guard let s = byToken[token], s.expires > now else { return nil }
        return (token, s)
    }

    public mutating func close(_ token: String) { byToken[token] = nil }

    /// The value of cookie `name` in a Cookie header (`a=1; b=2`).
    public static func cookie(_ name: String, in header: String?) -> String? {
        guard let header, header.utf8.count <= 4096 else { return nil }
        for part in header.split(separator: ";") {
            let kv = part.split(separator: "=", maxSplits: 1)
            guard kv.count == 2 else { continue }
            if kv[0].drop(while: { $0 == " " }) == Substring(name) { return String(kv[1]) }
        }
        return nil
    }

    static func hex(_ a: UInt64, _ b: UInt64) -> String {
        [a, b].map { v in
            let s = String(v, radix: 16)
            return String(repeating: "0", count: 16 - s.count) + s
        }.joined()
    }
}
