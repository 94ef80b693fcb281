/// The broker core's timers, after quinn-proto's `Timer`: each case names one deadline of the core, `pollTimeout`
/// answers the earliest, and `handleTimeout` runs every case in this order (each does nothing when not due, at the
/// cost of a look at its own deadline).
enum BrokerTimer: CaseIterable {
    /// NACKs towards producers: each online stream's loss detector (a `TimerTable` by stream).
    case streamLoss
    /// The peer links: PEER_HELLO heartbeat, snapshot resends, block repeats, and the turn's batched cluster flush
    /// (`PeerMesh.nextTimeout`).
    case mesh
    /// Sessions whose lease expired (a `LeaseWheel`), a bounded number per turn.
    case leases
    /// BYE repeats to clients and producers while the broker drains.
    case bye
    /// Rate measurement, every half heartbeat.
    case sweep

    /// `allCases`, made once (the synthesized property builds an array on every call; this is read every turn).
    static let order = allCases
}

extension BrokerCore {
    func deadline(of timer: BrokerTimer) -> Int64 {
        switch timer {
        case .streamLoss: streamTimers.next
        case .mesh: mesh?.nextTimeout ?? .max
        case .leases: table.leases.next
        case .bye: nextBye
        case .sweep: nextSweep
        }
    }

    mutating func run(_ timer: BrokerTimer, now: Int64) {
        switch timer {
        case .streamLoss: for id in streamTimers.popDue(now: now) { nackProducer(id, now: now) }
        case .mesh: handleMeshTimeout(now: now)
        case .leases: expireLeases(now: now)
        case .bye: if now >= nextBye { repeatBye(now: now) }
        case .sweep: if now >= nextSweep { sweep(now: now) }
        }
    }
}
