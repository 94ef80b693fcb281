import Wire

/// Failover, for a producer given several brokers: it leaves a broker that is unreachable (ICMP port unreachable
/// through the driver's connected socket), that leaves, or whose heartbeat answer is overdue (confirmed by quick
/// heartbeats), for the next broker of its list, and announces its streams there in its HELLO. Its sequence and
/// frame numbers go on, so receivers NACK what the move cost and the retransmit buffer answers.
extension ProducerSession {
    /// The broker to send to now (nil: none given; the driver knows its one broker).
    public var broker: PeerAddress? { failover.broker }

    /// The brokers this producer may use (nil: the driver's one), with the moves made.
    public var brokers: BrokerList? { failover.brokers }

    /// ICMP port unreachable reports for the broker (the driver's connected socket).
    public var refusals: Int { failover.refusals }

    /// Stalls of this process (a loaded host): not counted as the broker's silence.
    public var stallWatch: StallWatch { failover.stallWatch }

    /// The driver's socket reported the broker unreachable (ECONNREFUSED): with another broker, move at once.
    public mutating func unreachable(now: Int64) {
        transmits.push(contentsOf: failover.unreachable(&link, now: now)?.send ?? [])
    }

    mutating func linkEvent(_ event: LinkEvent, now: Int64) {
        switch event {
        case .lost, .brokerLeaving:
            guard let move = failover.sessionDown(event, &link, now: now) else { return events.push(event) }
            transmits.push(contentsOf: move.send)
        case .connected, .disconnected, .refused:
            events.push(event)
        }
    }

    /// The first thing of every call from the driver: if this process was stalled past its own deadline, that time
    /// is not the broker's silence (`BrokerFailover.forgiveStall`).
    mutating func forgiveStall(now: Int64) {
        let due = pollTimeout()
        _ = failover.forgiveStall(&link, now: now, due: due)
    }

    /// A broker hears media from us but answers only heartbeats: one unanswered for `producerGrace` (or the RTT's
    /// retransmission timeout, when longer) past the heartbeat interval is suspicious, and probed at once.
    var failoverDeadline: Int64 {
        guard failover.isEnabled else { return .max }
        switch link.state {
        case .connecting, .moving, .stopped:
            return failover.helloDeadline(link)
        case .suspecting:
            return .max
        case .connected(let liveness):
            let rto = link.rtt.hasSample ? link.rtt.timeout : link.timers.initialRTT
            return liveness.lastHeard + link.heartbeatPeriod + max(link.timers.producerGrace, rto) + link.loadAllowance
        }
    }

    mutating func failoverDue(now: Int64) -> [[UInt8]] {
        guard failover.isEnabled, now >= failoverDeadline else { return [] }
        return link.isConnected ? link.suspect(now: now) : failover.helloDue(&link, now: now)?.send ?? []
    }
}
