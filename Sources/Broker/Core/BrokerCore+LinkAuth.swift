import Wire

/// What makes a message between brokers count only for the runs that sent and received it (docs/PROTOCOL.md §12,
/// "Link tokens, restarts and BYE"): the tag proves the sender holds the cluster secret, the link token that this
/// run of the receiver gave this run of the sender proves the message belongs to the link as it is now, and the ids
/// of the peer's earlier runs are remembered so that what one of them said, replayed, changes nothing.
extension BrokerCore {
    /// The link token this broker gives the broker `holder` (its id) at `address`: like an address cookie, but bound
    /// to both brokers' runs, so it changes whenever either restarts.
    public func linkToken(for address: PeerAddress, holder: UInt64) -> UInt64 {
        var w = ByteWriter(capacity: 35)
        w.write(bytes: address.cookieMaterial)
        w.write(epoch)
        w.write(holder)
        return cookieKey.hash(w.bytes) | 1
    }

    /// A BYE whose cluster tag checks: a peer broker leaving takes its link down at once, if the BYE carries the
    /// token this run gave the peer's current run (a BYE of an earlier run of either, replayed, is refused).
    mutating func peerBye(token: UInt64, from: PeerAddress, now: Int64) {
        guard var link = links[from], link.up, let id = link.brokerID, table[from]?.role == .broker, token == linkToken(for: from, holder: id)
        else { return refuse(.peerNotLinked) }
        linkDown(&link, now: now)
        links[from] = link
    }

    /// The BYE a leaving broker sends a peer: the link token that peer gave us, then the cluster tag.
    func peerByeBytes(to a: PeerAddress) -> [UInt8]? {
        guard let clusterKey else { return nil }
        var b = Message.bye(token: links[a]?.token ?? 0, reason: .shutdown).encode()
        b.append(contentsOf: repeatElement(0, count: WireConstants.peerTagSize))
        clusterKey.seal(&b)
        return b
    }
}
