import Wire

/// Every peer's session, which address owns which producer id, and the clients' queue slots (stable small
/// integers the forwarder indexes its queues by; a freed slot is reused).
struct SessionTable: Sendable {
    private(set) var byAddress: [PeerAddress: PeerSession] = [:]
    /// producer id -> the address of its session
    private(set) var owners: [ProducerID: PeerAddress] = [:]
    private(set) var clientCount = 0
    private var freeSlots: [Int] = []
    private var nextSlot = 0

    subscript(_ address: PeerAddress) -> PeerSession? {
        get { byAddress[address] }
        set {
            let old: PeerSession?
            if let v = newValue { old = byAddress.updateValue(v, forKey: address) } else { old = byAddress.removeValue(forKey: address) }
            clientCount += (newValue?.role == .client ? 1 : 0) - (old?.role == .client ? 1 : 0)
        }
    }

    /// Removes and returns a session (so it can be changed in place and put back without a copy).
    mutating func remove(_ address: PeerAddress) -> PeerSession? {
        guard let s = byAddress.removeValue(forKey: address) else { return nil }
        if s.role == .client { clientCount -= 1 }
        return s
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
