import Wire

/// Failover, for a producer given several brokers: it leaves a broker that is unreachable (ICMP port unreachable
/// through the driver's connected socket), that leaves, or whose heartbeat answer is overdue (confirmed by quick
/// heartbeats), for the next broker of its list, and announces its streams there in its HELLO. Its sequence and
/// frame numbers go on, so receivers NACK what the move cost and the retransmit buffer answers.
extension ProducerSession {
    /// The broker to send to now (nil: none given; the driver knows its one broker).
    public var broker: PeerAddress? { brokers?.current }

    var failover: Bool { brokers?.canMove == true }

    /// The driver's socket reported the broker unreachable (ECONNREFUSED): with another broker, move at once.
    public mutating func unreachable(now: Int64) {
        refusals += 1
        transmits.push(contentsOf: move(now: now))
    }

    mutating func linkEvent(_ event: LinkEvent, now: Int64) {
        switch event {
        case .lost where failover:
            transmits.push(contentsOf: move(now: now))
        case .brokerLeaving where failover:
            transmits.push(contentsOf: move(now: now, hurry: true))
        case .lost, .brokerLeaving:
            connectingSince = now
            events.push(event)
        default:
            events.push(event)
        }
    }

    mutating func move(now: Int64, hurry: Bool = false) -> [[UInt8]] {
        guard var list = brokers, list.canMove else { return [] }
        list.advance()
        brokers = list
        connectingSince = now
        return link.move(now: now, hurry: hurry).map { [$0] } ?? []
    }

    /// The first thing of every call from the driver: if this process was stalled past its own deadline, that time
    /// is not the broker's silence (the driver reads what queued on the socket before any timeout is handled).
    mutating func forgiveStall(now: Int64) {
        let stall = stallWatch.turn(now: now, due: pollTimeout(), tolerance: link.timers.stallTolerance)
        link.loadAllowance = stallWatch.loadAllowance(factor: link.timers.loadFactor, cap: link.timers.maxLoadAllowance)
        guard stall > 0 else { return }
        link.forgive(stall, now: now)
        if !link.isConnected { connectingSince = min(now, connectingSince + stall) }
    }

    /// A broker hears media from us but answers only heartbeats: one unanswered for `producerGrace` (or the RTT's
    /// retransmission timeout, when longer) past the heartbeat interval is suspicious, and probed at once.
    var failoverDeadline: Int64 {
        guard failover else { return .max }
        guard link.isConnected else { return connectingSince + link.timers.failoverHelloTimeout }
        let rto = link.rtt.hasSample ? link.rtt.timeout : link.timers.initialRTT
        return link.isSuspecting ? .max : link.lastHeardAt + link.heartbeatPeriod + max(link.timers.producerGrace, rto) + link.loadAllowance
    }

    mutating func failoverDue(now: Int64) -> [[UInt8]] {
        guard failover, now >= failoverDeadline else { return [] }
        return link.isConnected ? link.suspect(now: now) : move(now: now)
    }
}
