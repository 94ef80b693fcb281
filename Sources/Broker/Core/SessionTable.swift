import Wire

/// Every peer's session, which address owns which producer id, and the clients' queue slots (stable small
/// integers the forwarder indexes its queues by; a freed slot is reused). Leases are kept in a `LeaseWheel`:
/// each session has one entry, put there when the table takes the session in and again when a due entry finds
/// the lease renewed, so renewing costs nothing and expiring costs O(1) per session.
struct SessionTable: Sendable {
    /// A lease-wheel entry: the address and the serial of the session it was scheduled for.
    struct LeaseEntry: Hashable, Sendable {
        let address: PeerAddress
        let serial: UInt64
    }

    private(set) var byAddress: [PeerAddress: PeerSession] = [:]
    /// producer id -> the address of its session
    private(set) var owners: [ProducerID: PeerAddress] = [:]
    private(set) var clientCount = 0
    private var freeSlots: [Int] = []
    private var nextSlot = 0
    let leaseDuration: Int64
    private(set) var leases: LeaseWheel<LeaseEntry>
    private var lastSerial: UInt64 = 0
    /// Due wheel entries looked at (renewed, expired or of an ended session), for the work-per-change tests.
    private(set) var leaseChecks = 0

    /// `tick` is the lease wheel's granularity: a lease ends between `leaseDuration` and `leaseDuration + tick`
    /// after the peer was last heard.
    init(leaseDuration: Int64 = Timers().leaseDuration, tick: Int64 = Timers().heartbeatInterval / 2) {
        self.leaseDuration = leaseDuration
        leases = LeaseWheel(tick: max(1, tick), span: leaseDuration)
    }

    /// Notes that `address` was heard at `now` (its lease is renewed by that alone), changing the session in
    /// place: per DATA datagram, where reading the session out and storing it back would copy it twice.
    mutating func heard(_ address: PeerAddress, at now: Int64) {
        guard let i = byAddress.index(forKey: address) else { return }
        byAddress.values[i].lastHeard = now
    }

    subscript(_ address: PeerAddress) -> PeerSession? {
        get { byAddress[address] }
        set {
            var new = newValue
            if new != nil && new!.leaseSerial == 0 {
                lastSerial += 1
                new!.leaseSerial = lastSerial
                leases.schedule(LeaseEntry(address: address, serial: lastSerial), at: new!.lastHeard + leaseDuration, now: new!.lastHeard)
            }
            let old: PeerSession?
            if let v = new { old = byAddress.updateValue(v, forKey: address) } else { old = byAddress.removeValue(forKey: address) }
            clientCount += (new?.role == .client ? 1 : 0) - (old?.role == .client ? 1 : 0)
        }
    }

    /// Removes and returns a session (so it can be changed in place and put back without a copy).
    mutating func remove(_ address: PeerAddress) -> PeerSession? {
        guard let s = byAddress.removeValue(forKey: address) else { return nil }
        if s.role == .client { clientCount -= 1 }
        return s
    }

    /// Looks at up to `budget` lease-wheel entries due at `now` and returns the addresses whose lease has
    /// expired (silent for more than `leaseDuration`). Renewed leases are scheduled again; entries of ended
    /// sessions are dropped. The sessions stay in the table: the caller ends them.
    mutating func expiredLeases(now: Int64, budget: Int) -> [PeerAddress] {
        var expired: [PeerAddress] = []
        for e in leases.popDue(now: now, limit: budget) {
            leaseChecks += 1
            guard let s = byAddress[e.address], s.leaseSerial == e.serial else { continue }
            if now - s.lastHeard > leaseDuration {
                expired.append(e.address)
            } else {
                leases.schedule(e, at: s.lastHeard + leaseDuration + 1, now: now)
            }
        }
        return expired
    }

    /// The next counter of a session's sealed control messages, counted in place (no copy of the session).
    mutating func nextControlCounter(_ a: PeerAddress) -> UInt32 {
        byAddress[a]!.controlCounter &+= 1
        return byAddress[a]!.controlCounter
    }

    mutating func setOwner(_ producer: ProducerID, _ address: PeerAddress?) { owners[producer] = address }

    /// A free queue slot for a new client.
    mutating func allocateSlot() -> Int {
        if let s = freeSlots.popLast() { return s }
        nextSlot += 1
        return nextSlot - 1
    }

    mutating func release(slot: Int) { freeSlots.append(slot) }
}
