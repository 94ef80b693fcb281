import Wire

/// Control messages to clients and producers are sealed (docs/PROTOCOL.md §4 "Control authentication"): each carries
/// a counter and a tag under its session's control key, so an off-path spoofer cannot forge one and nobody can
/// replay one. Peer brokers get theirs unsealed (they drop them; their own messages are tagged, §12).
extension BrokerCore {
    /// The control key of a session opened (or renewed) by `h` with the address's `token`: under the producer's
    /// stream key for a producer, under no key for a client.
    func controlSeal(for h: Hello, token: UInt64, streamKey: [UInt8]) -> ControlSeal {
        ControlSeal.derive(streamKey: h.role == .producer ? streamKey : [], token: token, nonce: h.nonce, challenge: h.challenge)
    }

    /// Sends a control message to `a`, sealed with its session's key and next counter when it has one.
    mutating func sendControl(_ m: Message, to a: PeerAddress) {
        sendControl(m.encode(), to: a)
    }

    mutating func sendControl(_ bytes: [UInt8], to a: PeerAddress) {
        guard let seal = table[a]?.seal else { return outbox.push(.send(to: a, bytes)) }
        let counter = table.nextControlCounter(a)
        outbox.push(.send(to: a, seal.seal(bytes, counter: counter)))
    }

    /// An ERROR refusing a HELLO: no session holds a key, so it is sealed under the HELLO's own (no stream key: the
    /// refused producer may not hold the right one), counter 0, and cut so that it is never larger than the HELLO.
    mutating func refuseHello(_ h: Hello, to a: PeerAddress, _ code: ErrorCode, _ reason: String) {
        counters.errorsSent += 1
        let helloSize = max(WireConstants.helloMinSize, 34 + 8 * h.streams.count + (h.role == .producer ? StreamKeys.proofBytes : 0))
        let room = helloSize - 10 - ControlSeal.trailerSize
        let cut = String(decoding: reason.utf8.prefix(room), as: UTF8.self)
        let bytes = Message.error(ErrorReply(requestID: 0, code: code, reason: cut)).encode()
        let seal = ControlSeal.derive(streamKey: [], token: h.token, nonce: h.nonce, challenge: h.challenge)
        outbox.push(.send(to: a, seal.seal(bytes, counter: 0)))
    }
}
