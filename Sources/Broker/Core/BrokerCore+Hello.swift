import Crypto
import Wire

/// The HELLO at the broker (docs/PROTOCOL.md §4): the cookie and the challenge, a producer's proof of its stream key,
/// then a client's or producer's session, created or renewed, answered with a sealed WELCOME.
extension BrokerCore {
    mutating func handleHello(_ h: Hello, from: PeerAddress, now: Int64) {
        let expected = cookie(for: from)
        guard h.token == expected, challenges.accepts(h.challenge, for: from, nonce: h.nonce, now: now) else {
            // Stateless: nothing is stored until the peer proves it receives at this address, and answers a challenge
            // of this broker's, fresh, for this attempt (a captured HELLO replayed gets only a COOKIE, to its sender).
            if h.token == expected && h.challenge != 0 { refuse(.staleChallenge) }
            counters.cookiesSent += 1
            let challenge = challenges.make(for: from, nonce: h.nonce, now: now)
            outbox.push(.send(to: from, Message.cookie(nonce: h.nonce, token: expected, challenge: challenge).encode()))
            return
        }
        // A producer proves its stream key before anything changes (an existing session included).
        var mediaKey: DataMAC?
        if h.role == .producer {
            guard let pid = h.producer, let key = authenticate(h, pid, from: from) else { return }
            mediaKey = key
        }
        if let old = table[from], old.role != h.role || old.producer != h.producer {
            endSession(from, now: now, reason: .replacedByAnotherRole)
        }
        switch h.role {
        case .broker:
            return  // brokers meet with PEER_HELLO; the decoder never yields this
        case .client:
            if table[from] == nil {
                guard subscriberCount < limits.maxSubscribers else {
                    refuseHello(h, to: from, .limitReached, "broker has \(limits.maxSubscribers) subscribers (maxSubscribers)")
                    return
                }
                let slot = table.allocateSlot()
                var s = PeerSession(address: from, role: .client, token: expected, lastHeard: now)
                s.slot = slot
                s.nonce = h.nonce
                table[from] = s
                events.push(.clientConnected(from, slot: slot))
            } else {
                table[from]!.lastHeard = now
                renewNonce(from, h.nonce, now: now)
            }
        case .producer:
            guard let pid = h.producer, let mediaKey else { return }
            guard !blocks.isBlocked(pid) else { return refuseBlocked(pid, h, from: from) }
            if let other = table.owners[pid], other != from {
                events.push(.producerMoved(pid, from: other, to: from))
                endSession(other, now: now, reason: .replacedByNewerSession(from: from))
            }
            if table.owners[pid] == nil && table.owners.count >= limits.maxProducers {
                refuseHello(h, to: from, .limitReached, "broker has \(limits.maxProducers) producers (maxProducers)")
                return
            }
            let isNew = table[from] == nil
            // A new session claims the id above every claim known in the cluster, so it wins everywhere.
            let claim = isNew ? (streamTable.streams(of: pid).compactMap { streamTable[$0]?.claim }.max() ?? 0) &+ 1 : nil
            var s = table[from] ?? PeerSession(address: from, role: .producer, token: expected, lastHeard: now)
            s.producer = pid
            s.lastHeard = now
            if isNew { s.nonce = h.nonce }
            table[from] = s
            renewNonce(from, h.nonce, now: now)
            table.setOwner(pid, from)
            registerStreams(of: pid, h.streams, owner: from, mediaKey: mediaKey, nonce: h.nonce, claim: claim, now: now, fresh: isNew)
            if isNew {
                events.push(.producerOnline(pid, from: from, streams: h.streams))
            }
        }
        // The session's control key is the one of the HELLO it is on now (a repeated HELLO may bring another nonce).
        let streamKey = h.producer.map { StreamKeys.streamKey(secret: publishSecret, producer: $0) } ?? []
        let seal = controlSeal(for: h, token: expected, streamKey: streamKey)
        table[from]?.seal = seal
        let w = Welcome(
            nonce: h.nonce, epoch: epoch, heartbeatMillis: UInt32(timers.heartbeatInterval / 1000), leaseMisses: UInt8(timers.leaseMisses))
        sendControl(.welcome(w), to: from)
    }

    /// A session goes on under a HELLO of another nonce: the old nonce's HELLOs, replayed, must not bring it back.
    mutating func renewNonce(_ a: PeerAddress, _ nonce: UInt64, now: Int64) {
        guard let old = table[a]?.nonce, old != nonce else { return }
        challenges.retire(old, at: a, now: now)
        table[a]!.nonce = nonce
    }

    /// Checks a producer HELLO's proof of its stream key. Returns the session's media key, or refuses the HELLO
    /// with ERROR `notAuthorized` (reported once per producer id until it proves its key).
    mutating func authenticate(_ h: Hello, _ pid: ProducerID, from: PeerAddress) -> DataMAC? {
        let key = StreamKeys.streamKey(secret: publishSecret, producer: pid)
        if HMACSHA256.constantTimeEqual(StreamKeys.helloProof(streamKey: key, signed: h.signedBytes()), h.proof) {
            reportedBadKeys.remove(pid)
            return StreamKeys.mediaKey(streamKey: key, nonce: h.nonce)
        }
        refuse(.badStreamKey)
        if reportedBadKeys.count < 1024, reportedBadKeys.insert(pid).inserted { events.push(.producerUnauthorized(pid, from: from)) }
        refuseHello(h, to: from, .notAuthorized, "wrong stream key for producer \(pid)")
        return nil
    }
}
