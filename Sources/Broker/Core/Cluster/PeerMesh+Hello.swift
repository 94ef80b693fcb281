import Wire

/// PEER_HELLO, COOKIE and BYE between brokers (docs/PROTOCOL.md §12, "Link tokens, restarts and BYE"): the tag
/// proves the sender holds the cluster secret, the link token that this run of the receiver gave this run of the
/// sender proves the message belongs to the link as it is now, and the ids of the peer's earlier runs are remembered
/// so that what one of them said, replayed, changes nothing.
extension PeerMesh {
    /// The link token this broker gives the broker `holder` (its id) at `address`: like an address cookie, but bound
    /// to both brokers' runs, so it changes whenever either restarts.
    func linkToken(for address: PeerAddress, holder: UInt64) -> UInt64 {
        var w = ByteWriter(capacity: 35)
        w.write(bytes: address.cookieMaterial)
        w.write(brokerID)
        w.write(holder)
        return tokenKey.hash(w.bytes) | 1
    }

    mutating func peerHello(_ h: PeerHello, from: PeerAddress, now: Int64) {
        if h.brokerID == brokerID {
            // Our own PEER_HELLO came back: BROKER_PEERS lists this broker too. Ignore that entry from now on.
            if links[from]?.isSelf == false { actions.push(.event(.peerIsSelf(from))) }
            links[from]?.isSelf = true
            return
        }
        // A PEER_HELLO of a run of the peer that a later run replaced (replayed by someone who captured it) is not
        // the peer restarting again: it changes nothing, not even a COOKIE is sent.
        if links[from]?.retiredIDs.contains(h.brokerID) == true { return refuse(.stalePeerHello) }
        let expected = linkToken(for: from, holder: h.brokerID)
        guard h.token == expected else {
            actions.push(.cookie(from, Message.cookie(nonce: h.sendTime, token: expected).encode()))
            return
        }
        var link = links[from] ?? PeerLink(address: from, configured: false)
        guard links[from] != nil || links.count < config.maxPeers else { return refuse(.peerLimit) }
        if let old = link.brokerID, old != h.brokerID {
            // The peer restarted: what it had applied of ours, and we of its, is gone.
            link.retire(old)
            linkDown(&link)
            link.theirSendTime = 0
        }
        // Its clock only moves forward within one run: an older or repeated PEER_HELLO (delayed, duplicated, or
        // replayed by someone on the path) must not keep a dead link up or move the acknowledgements back.
        guard link.brokerID != h.brokerID || h.sendTime > link.theirSendTime else {
            links[from] = link
            return refuse(.stalePeerHello)
        }
        link.theirSendTime = h.sendTime
        link.brokerID = h.brokerID
        if link.theirInterest != 0 && Serial.less(h.interestVersion, link.theirInterest) {
            // The peer numbers its interest from 1 again: it dropped the link while we did not (a one-way cut). Its
            // new versions would look old here, never be taken nor acknowledged, and be resent every heartbeat for
            // ever (found by the split simulation); the interest we hold stays until its new version comes.
            link.theirInterest = 0
            link.interestPending = 0
            link.interestPages = [:]
        }
        take(h, into: &link, now: now)
        let cameUp = !link.up
        if cameUp {
            link.up = true
            link.since = now
        }
        links[from] = link
        actions.push(.heard(from, cameUp: cameUp, brokerID: h.brokerID))
    }

    /// What a fresh PEER_HELLO of the peer's current run says: liveness, an RTT sample, its acknowledgements.
    private func take(_ h: PeerHello, into link: inout PeerLink, now: Int64) {
        link.counters.datagramsIn += 1
        link.lastHeard = now
        link.echo = h.sendTime
        link.echoHeardAt = now
        if h.echoTime != 0 {
            let sample = now - Int64(bitPattern: h.echoTime) - Int64(h.echoDelay)
            if sample >= 0 && sample < 10_000_000 { link.rtt.add(sample: max(1, sample)) }
        }
        link.announceAcked = h.announceAck
        link.interestAcked = h.interestAck
        if link.announceAcked == announceVersion && link.interestAcked == link.interestVersion { link.snapshotRetryAt = .max }
    }

    mutating func sendHello(to a: PeerAddress, now: Int64) {
        guard var link = links[a] else { return }
        let h = PeerHello(
            token: link.token, brokerID: brokerID, sendTime: UInt64(bitPattern: now), echoTime: link.echo, announceVersion: announceVersion,
            announceAck: link.theirAnnounce, interestVersion: link.interestVersion, interestAck: link.theirInterest,
            echoDelay: link.echo == 0 ? 0 : UInt32(clamping: max(0, now - link.echoHeardAt)))
        link.recentHellos.append(h.sendTime)
        if link.recentHellos.count > 32 { link.recentHellos.removeFirst() }
        link.counters.controlOut += 1
        links[a] = link
        sendSealed(.peerHello(h), to: a)
    }

    /// A COOKIE from a peer we are linking to: the token to put in what we send it. False: not an answer to one of
    /// our recent PEER_HELLOs.
    mutating func peerCookie(nonce: UInt64, token: UInt64, from: PeerAddress, now: Int64) -> Bool {
        guard let link = links[from], !link.isSelf, link.recentHellos.contains(nonce) else { return false }
        links[from]!.token = token
        sendHello(to: from, now: now)
        return true
    }

    /// A BYE whose cluster tag checks: a peer broker leaving takes its link down at once, if the BYE carries the
    /// token this run gave the peer's current run (a BYE of an earlier run of either, replayed, is refused).
    mutating func peerBye(token: UInt64, from: PeerAddress, peerSession: Bool) {
        guard var link = links[from], link.up, let id = link.brokerID, peerSession, token == linkToken(for: from, holder: id)
        else { return refuse(.peerNotLinked) }
        linkDown(&link)
        links[from] = link
    }

    /// The BYE a leaving broker sends a peer: the link token that peer gave us, then the cluster tag.
    func byeBytes(to a: PeerAddress) -> [UInt8] {
        var b = Message.bye(token: links[a]?.token ?? 0, reason: .shutdown).encode()
        b.append(contentsOf: repeatElement(0, count: WireConstants.peerTagSize))
        key.seal(&b)
        return b
    }

    mutating func refuse(_ reason: RefusalReason) { actions.push(.refused(reason, count: 1)) }
}
