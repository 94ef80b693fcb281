import Wire

/// What the broker's operator can do from the status page. Each command takes effect in the core at once, the
/// same way a peer's message would: the peer is told (BYE, ERROR) and the tables change.
extension BrokerCore {
    /// Producer ids one broker keeps blocked at most (a block list is typed by hand; this bounds a script gone wrong).
    public static let maxBlockedProducers = 1024

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
        endSession(address, now: now, reason: "disconnected by the operator")
        events.push(.clientDisconnected(address))
        return .done
    }

    /// Blocks a producer id: its session, if any, ends at once (its streams go offline and their subscribers
    /// are told), and its HELLOs are refused with ERROR `blocked` until `unblockProducer`. The session ends
    /// without a BYE: the producer's next heartbeat meets no session, it says HELLO again and hears why.
    public mutating func blockProducer(_ producer: ProducerID, now: Int64) -> OperatorResult {
        if !blockedProducers.contains(producer) {
            guard blockedProducers.count < Self.maxBlockedProducers else { return .limitReached }
            blockedProducers.insert(producer)
        }
        let owner = table.owners[producer]
        if let owner { endSession(owner, now: now, reason: "blocked by the operator") }
        events.push(.producerBlocked(producer, endedSession: owner))
        return .done
    }

    /// Lifts a block; the producer's next HELLO is welcome.
    public mutating func unblockProducer(_ producer: ProducerID) -> OperatorResult {
        guard blockedProducers.remove(producer) != nil else { return .notFound }
        events.push(.producerUnblocked(producer))
        return .done
    }

    /// A HELLO from a blocked producer id: refused, naming the block (request id 0: the session is refused).
    mutating func refuseBlocked(_ producer: ProducerID, _ hello: Hello, from: PeerAddress) {
        counters.refused["blocked", default: 0] += 1
        refuseHello(hello, to: from, .notAuthorized, "producer \(producer) is blocked by this broker's operator (unblock it on the status page)")
        events.push(.blockedHelloRefused(producer, from: from))
    }
}
