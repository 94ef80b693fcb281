/// The failover a producer and a client share, given several brokers: which broker is current and which is next
/// (`BrokerList`, round robin), since when the peer is without a session (a broker that does not welcome it within
/// `failoverHelloTimeout` is left too), the moves the driver's ICMP reports caused, and this process's stalls, which
/// are not the broker's silence. What makes a peer suspect a broker that is up differs (a client: its media stops;
/// a producer: heartbeat answers are late) and stays with each session. Pure, like `BrokerLink`, which it drives.
public struct BrokerFailover: Sendable {
    /// A move to the next broker of the list: where from, where to, and the HELLO for the new broker (none when
    /// the link's last HELLO just went out: the driver sends it to the new broker).
    public struct Move: Sendable, Equatable {
        public let from: PeerAddress
        public let to: PeerAddress
        public let send: [[UInt8]]
    }

    /// The brokers the peer may use (nil: none given; the driver knows its one broker).
    public private(set) var brokers: BrokerList?
    /// Since when the peer is without a session.
    public private(set) var connectingSince: Int64 = 0
    /// ICMP port unreachable reports for the broker (the driver's connected socket), each a move when there is another.
    public private(set) var refusals = 0
    /// This process's stalls (a loaded host): not counted as the broker's silence (`forgiveStall`).
    public private(set) var stallWatch = StallWatch()
    /// `first`: the index in `brokers` to start on (nil: a random one, from `seed`).
    public init(brokers: [PeerAddress], seed: UInt64, first: Int? = nil) {
        self.brokers = brokers.isEmpty ? nil : BrokerList(brokers, seed: seed, first: first)
    }

    /// The broker to send to now (nil: none given).
    public var broker: PeerAddress? { brokers?.current }

    /// Whether there is another broker to move to: without one, the peer stays and its link reconnects.
    public var isEnabled: Bool { brokers?.canMove == true }

    /// A new attempt at a session starts here (the owner connects, or the broker forgot the session).
    public mutating func connecting(now: Int64) { connectingSince = now }

    /// Moves the link to the next broker of the list (nil: there is none): the link is `moving` until the new broker
    /// welcomes it.
    /// `hurry`: start over with the backoff as well (the broker told us to go).
    public mutating func move(_ link: inout BrokerLink, now: Int64, hurry: Bool = false) -> Move? {
        guard var list = brokers, list.canMove else { return nil }
        let from = list.current
        let to = list.advance()
        brokers = list
        connectingSince = now
        return Move(from: from, to: to, send: link.move(now: now, hurry: hurry).map { [$0] } ?? [])
    }

    /// The driver's socket reported the broker unreachable (ECONNREFUSED: ICMP port unreachable, as a closed port
    /// on a live host answers): with another broker to go to, move at once.
    public mutating func unreachable(_ link: inout BrokerLink, now: Int64) -> Move? {
        refusals += 1
        return move(&link, now: now)
    }

    /// The link lost its session (`.lost`, or `.brokerLeaving`: then in a hurry). Returns the move to the next broker,
    /// or nil: there is none, the link reconnects to this one and the owner reports the event.
    public mutating func sessionDown(_ event: LinkEvent, _ link: inout BrokerLink, now: Int64) -> Move? {
        connectingSince = now
        return move(&link, now: now, hurry: event == .brokerLeaving)
    }

    /// When a broker that has not welcomed the peer is left for the next (`.max`: no failover, or a session is up).
    public func helloDeadline(_ link: BrokerLink) -> Int64 {
        isEnabled && !link.isConnected ? connectingSince + link.timers.failoverHelloTimeout : .max
    }

    /// Leaves a broker that has not welcomed the peer in `failoverHelloTimeout` (nil: not yet, or nowhere to go).
    public mutating func helloDue(_ link: inout BrokerLink, now: Int64) -> Move? {
        guard now >= helloDeadline(link) else { return nil }
        return move(&link, now: now)
    }

    /// The first thing of every call from the driver: if this process was stalled past its own deadline (`due`),
    /// that time is not the broker's silence (the driver reads what queued on the socket before any timeout is
    /// handled). The link's liveness clocks and the hello timeout move on by it; returns the stall (0: none).
    public mutating func forgiveStall(_ link: inout BrokerLink, now: Int64, due: Int64) -> Int64 {
        let timers = link.timers
        let stall = stallWatch.turn(now: now, due: due, tolerance: timers.stallTolerance)
        link.loadAllowance = stallWatch.loadAllowance(factor: timers.loadFactor, cap: timers.maxLoadAllowance)
        guard stall > 0 else { return 0 }
        link.forgive(stall, now: now)
        if !link.isConnected { connectingSince = min(now, connectingSince + stall) }
        return stall
    }
}
