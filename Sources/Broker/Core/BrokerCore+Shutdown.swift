import Wire

/// Leaving: BYE to every peer, repeated to clients and producers while the broker drains.
extension BrokerCore {
    /// Tells every peer the broker is leaving. The clients and producers are told again `byeRepeats` times,
    /// `byeRepeat` apart: a BYE is one datagram, and one that is lost (one in ten at 10% loss) left its peer on the
    /// draining broker until it exited, a gap of a broker's death instead of a move (found by the drain simulation).
    public mutating func shutdown(now: Int64) {
        let bye = Message.bye(token: 0, reason: .shutdown).encode()
        for (a, s) in table.byAddress {
            // A peer broker checks the tag and the link token it gave this run of ours: a spoofed or replayed BYE
            // cannot take a link down.
            if s.role == .broker {
                if let b = mesh?.byeBytes(to: a) { outbox.push(.send(to: a, b)) }
            } else {
                sendControl(bye, to: a)
            }
        }
        byesLeft = Self.byeRepeats
        nextBye = now + Self.byeRepeat
        leaving = true
        mesh?.leaving = true
    }

    static let byeRepeats = 2
    static let byeRepeat: Int64 = 20_000

    /// A BYE again to every client and producer session left (sessions that moved already ignore it).
    mutating func repeatBye(now: Int64) {
        let bye = Message.bye(token: 0, reason: .shutdown).encode()
        for (a, s) in table.byAddress where s.role != .broker { sendControl(bye, to: a) }
        byesLeft -= 1
        nextBye = byesLeft > 0 ? now + Self.byeRepeat : .max
    }
}
