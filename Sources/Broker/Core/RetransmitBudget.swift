import Wire

/// One subscriber's allowance of retransmitted bytes, a token bucket refilled by what its streams deliver: each
/// NACK for a stream credits `retransmitBudgetPercent` of the bytes that stream received since the subscriber's
/// previous NACK for it, up to `retransmitBurstBytes` held. Over any span a subscriber draws at most the burst
/// plus that share of its streams' bytes, however many NACKs it sends (one subscriber's 3 MB of NACKs once
/// drew 264 MB, 80 times what its streams delivered). Crediting at NACK time costs one lookup per NACK and nothing
/// per forwarded datagram.
struct RetransmitBudget: Sendable {
    /// Bytes that may be resent now.
    private(set) var tokens: Int
    /// Per stream, its received-bytes counter when this subscriber was last credited for it.
    private var credited: [StreamID: Int] = [:]

    init(burst: Int) { tokens = burst }

    /// Credits the share of what `stream` received (its `bytesIn` counter) since the last credit for it.
    mutating func credit(_ stream: StreamID, bytesIn: Int, limits: Limits) {
        let last = credited.updateValue(bytesIn, forKey: stream) ?? bytesIn
        // A counter that went back is a stream forgotten and tracked afresh: no credit, a new start.
        guard bytesIn > last else { return }
        let earned = (bytesIn - last) * limits.retransmitBudgetPercent / 100
        tokens = min(limits.retransmitBurstBytes, tokens + earned)
    }

    /// Takes `bytes` from the budget; false (nothing taken) when there are not that many.
    mutating func spend(_ bytes: Int) -> Bool {
        guard tokens >= bytes else { return false }
        tokens -= bytes
        return true
    }
}
