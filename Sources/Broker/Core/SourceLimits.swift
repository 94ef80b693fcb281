import Wire

/// The broker's per-source limits: one `SourceLimiter` for handshakes (HELLO, and any request from an address
/// without a session, which draws a COOKIE) and one for the requests of a session that change or read tables
/// (SUBSCRIBE, UNSUBSCRIBE, LIST_REQUEST). Heartbeats of a session, NACKs (capped by the retransmit budget)
/// and DATA are not limited here: they must flow, and the DATA path gets no per-datagram work.
public struct SourceLimits: Sendable {
    public private(set) var handshakes: SourceLimiter
    public private(set) var requests: SourceLimiter

    public init(limits: Limits) {
        handshakes = SourceLimiter(
            perSecond: limits.sourceHandshakesPerSecond, burst: limits.sourceHandshakeBurst, maxSources: limits.maxLimitedSources)
        requests = SourceLimiter(perSecond: limits.sourceRequestsPerSecond, burst: limits.sourceRequestBurst, maxSources: limits.maxLimitedSources)
    }

    /// True when `m` from `from` may be acted on; `hasSession`: whether `from` has a session.
    mutating func admit(_ m: Message, from: PeerAddress, hasSession: Bool, now: Int64) -> Bool {
        switch m {
        case .hello:
            return handshakes.admit(from, now: now)
        case .heartbeat, .nack, .bye:
            return hasSession || handshakes.admit(from, now: now)
        case .subscribe, .unsubscribe, .listRequest:
            return hasSession ? requests.admit(from, now: now) : handshakes.admit(from, now: now)
        default:
            return true
        }
    }
}
