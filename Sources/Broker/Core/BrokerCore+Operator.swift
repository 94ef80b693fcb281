import Wire

/// What the broker's operator can do from the status page. Each command takes effect in the core at once, the
/// same way a peer's message would: the peer is told (BYE, ERROR) and the tables change.
extension BrokerCore {
    /// Producer ids blocked at most (`BlockList.maxBlocked`).
    public static let maxBlockedProducers = BlockList.maxBlocked

    /// What a command did, for the page's answer.
    public enum OperatorResult: Equatable, Sendable {
        case done
        /// Nothing to act on (no such client session; the id was not blocked).
        case notFound
        /// The block list holds `maxBlockedProducers` ids already.
        case limitReached
    }

    /// Ends a client's session and sends it BYE with reason `disconnected` and its own token (so an off-path
    /// spoofer cannot forge one), which tells it not to reconnect by itself.
    public mutating func disconnectClient(_ address: PeerAddress, now: Int64) -> OperatorResult {
        guard let s = table[address], s.role == .client else { return .notFound }
        sendControl(.bye(token: s.token, reason: .disconnected), to: address)
        endSession(address, now: now, reason: .disconnectedByOperator)
        events.push(.clientDisconnected(address))
        return .done
    }

    /// Blocks a producer id at every broker of the cluster: its session, if any, ends at once (its streams go
    /// offline and their subscribers are told), and its HELLOs are refused with ERROR `blocked` until
    /// `unblockProducer` (here or at any broker). The session ends without a BYE: the producer's next heartbeat
    /// meets no session, it says HELLO again and hears why. The decision goes to the peers (PEER_BLOCKS).
    public mutating func blockProducer(_ producer: ProducerID, now: Int64) -> OperatorResult {
        if !blocks.isBlocked(producer) {
            guard let e = blocks.decide(producer, blocked: true) else { return .limitReached }
            mesh?.shareBlock(e, now: now)
        }
        let owner = table.owners[producer]
        if let owner { endSession(owner, now: now, reason: .blockedByOperator) }
        events.push(.producerBlocked(producer, endedSession: owner))
        return .done
    }

    /// Lifts a block at every broker of the cluster; the producer's next HELLO is welcome.
    public mutating func unblockProducer(_ producer: ProducerID, now: Int64) -> OperatorResult {
        guard blocks.isBlocked(producer), let e = blocks.decide(producer, blocked: false) else { return .notFound }
        mesh?.shareBlock(e, now: now)
        events.push(.producerUnblocked(producer))
        return .done
    }

    /// A blocked producer id's session here, if any, ends (a block decided at another broker, or read at start).
    mutating func enforceBlock(_ producer: ProducerID, now: Int64) {
        guard let owner = table.owners[producer] else { return }
        endSession(owner, now: now, reason: .blockedByOperator)
        events.push(.producerBlocked(producer, endedSession: owner))
    }

    /// A HELLO from a blocked producer id: refused, naming the block (request id 0: the session is refused).
    mutating func refuseBlocked(_ producer: ProducerID, _ hello: Hello, from: PeerAddress) {
        counters.refused[.blocked] += 1
        refuseHello(hello, to: from, .notAuthorized, "producer \(producer) is blocked cluster-wide")
        events.push(.blockedHelloRefused(producer, from: from))
    }
}
