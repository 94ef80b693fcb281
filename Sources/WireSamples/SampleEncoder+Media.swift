import Wire

/// DATA datagrams and the broker-to-broker messages.
extension SampleEncoder {
    /// A DATA datagram stamped with the MAC under `mediaKey`, and with the origin tag of
    /// the broker its producer is connected to (bytes 33-35, not covered by the MAC; 0 = not stamped). The header
    /// comes from `Message.encode`, the payload is appended (so a too-long one can be written too).
    static func data(
        _ stream: UInt32, _ seq: UInt32, _ frame: UInt32, _ frameLength: UInt32, _ index: Int, flags: UInt8 = 0, count: Int? = nil,
        payloadLength: Int? = nil, fill: UInt8 = 0xAB, origin: UInt32 = 0, payload: [UInt8]? = nil
    ) -> [UInt8] {
        let chunks = count ?? (Int(frameLength) + chunk - 1) / chunk
        let header = DataHeader(
            stream: StreamID(rawValue: stream), sequence: seq, frameNumber: frame, frameLength: frameLength, chunkIndex: UInt16(index),
            chunkCount: UInt16(chunks), captureTime: captureTime, flags: flags)
        let length = payloadLength ?? min(chunk, Int(frameLength) - index * chunk)
        var b = encode(.data(header, payload: [][...])) + (payload ?? [UInt8](repeating: fill, count: length))
        mediaKey.stamp(&b)
        if origin != 0 { DataHeader.setOrigin(&b, origin) }
        return b
    }

    /// Every DATA datagram of one frame, numbered from `seq`: what a producer sends as one GSO batch.
    static func gsoFrame(_ stream: UInt32, _ seq: UInt32, _ frame: UInt32, _ frameLength: UInt32) -> [[UInt8]] {
        let count = (Int(frameLength) + chunk - 1) / chunk
        return (0..<count).map { data(stream, seq + UInt32($0), frame, frameLength, $0, fill: UInt8($0)) }
    }

    /// A peer message with its tag under the cluster's tag key.
    static func sealedPeer(_ bytes: [UInt8]) -> [UInt8] {
        var b = bytes
        cluster.seal(&b)
        return b
    }

    /// A BYE between brokers: the BYE with the cluster's tag after it.
    static func peerBye(_ token: UInt64, _ reason: UInt8) -> [UInt8] {
        sealedPeer(bye(token, reason) + [UInt8](repeating: 0, count: WireConstants.peerTagSize))
    }

    /// A PEER_HELLO; with a role other than 0 the tree link's form (role, path_count, path). A role or path the codec
    /// refuses to write (role 3, more than `maxPath` tags, a count that disagrees) is patched in before the tag.
    static func peerHello(
        _ token: UInt64, _ brokerID: UInt64, _ sendTime: UInt64, _ echoTime: UInt64, _ av: UInt32, _ aa: UInt32, _ iv: UInt32, _ ia: UInt32,
        _ echoDelay: UInt32, role: UInt8 = 0, path: [UInt32] = [], pathCount: Int? = nil
    ) -> [UInt8] {
        let kept = Array(path.prefix(PeerHello.maxPath))
        let encoded = encode(
            .peerHello(
                PeerHello(
                    token: token, brokerID: brokerID, sendTime: sendTime, echoTime: echoTime, announceVersion: av, announceAck: aa,
                    interestVersion: iv, interestAck: ia, echoDelay: echoDelay, role: PeerLinkRole(rawValue: role) ?? .edge, path: kept)))
        guard role != 0 else { return sealedPeer(encoded) }
        var b = Array(encoded.dropLast(WireConstants.peerTagSize))
        for t in path.dropFirst(kept.count) { b += be(UInt64(t), 4) }
        let at = PeerHello.size - WireConstants.peerTagSize  // the tree part follows the 56 bytes of every PEER_HELLO
        b[at] = role
        b[at + 1] = UInt8(pathCount ?? path.count)
        return sealedPeer(b + [UInt8](repeating: 0, count: WireConstants.peerTagSize))
    }

    /// A peer page from the codec, with entries past its limit, page numbers and a count that disagrees patched in
    /// before the tag (an extra entry's bytes come from a page of that one entry).
    private static func peerPage(
        _ encoded: [UInt8], extra: [[UInt8]], page: UInt8, pages: UInt8, count: Int
    ) -> [UInt8] {
        var b = Array(encoded.dropLast(WireConstants.peerTagSize))
        for e in extra { b += e }
        b[24] = page
        b[25] = pages
        put(&b, at: 26, UInt64(count), 2)
        return sealedPeer(b + [UInt8](repeating: 0, count: WireConstants.peerTagSize))
    }

    private static func entryBytes(_ m: Message) -> [UInt8] {
        Array(encode(m).dropFirst(WireConstants.peerPageHeader).dropLast(WireConstants.peerTagSize))
    }

    /// PEER_ANNOUNCE of (stream, kind, rate, claim, nonce) entries; a kind the codec has no case for is patched in.
    /// Each entry's origin is the sender's own tag (a mesh peer announces its own producers' streams) unless `origins`
    /// gives them (a tree link carries other brokers' streams too).
    static func peerAnnounce(
        _ token: UInt64, _ brokerID: UInt64, _ version: UInt32, _ page: UInt8, _ pages: UInt8, _ entries: [(UInt32, UInt8, UInt32, UInt32, UInt64)],
        count: Int? = nil, origins: [UInt32]? = nil
    ) -> [UInt8] {
        let own = UInt32(truncatingIfNeeded: brokerID & 0xFF_FFFF)
        func entry(_ e: (UInt32, UInt8, UInt32, UInt32, UInt64), _ i: Int) -> PeerAnnounceEntry {
            let origin = origins.map { $0[i % $0.count] } ?? (own == 0 ? 1 : own)
            return PeerAnnounceEntry(
                stream: StreamID(rawValue: e.0), kind: StreamKind(rawValue: e.1) ?? .video, rateMilli: e.2, claim: e.3, nonce: e.4, origin: origin)
        }
        func message(_ list: [PeerAnnounceEntry]) -> Message {
            .peerAnnounce(PeerAnnounce(token: token, brokerID: brokerID, version: version, page: 0, pages: 1, entries: list))
        }
        let kept = Array(entries.prefix(WireConstants.maxAnnounceEntries))
        var b = peerPage(
            encode(message(kept.enumerated().map { entry($1, $0) })),
            extra: entries.enumerated().dropFirst(kept.count).map { entryBytes(message([entry($1, $0)])) }, page: page, pages: pages,
            count: count ?? entries.count)
        for (i, e) in entries.enumerated() { b[WireConstants.peerPageHeader + PeerAnnounceEntry.size * i + 4] = e.1 }
        return sealedPeer(b)
    }

    static func peerInterest(
        _ token: UInt64, _ brokerID: UInt64, _ version: UInt32, _ page: UInt8, _ pages: UInt8, _ streams: [UInt32], count: Int? = nil
    ) -> [UInt8] {
        func message(_ list: [UInt32]) -> Message {
            .peerInterest(PeerInterest(token: token, brokerID: brokerID, version: version, page: 0, pages: 1, entries: list.map { StreamID(rawValue: $0) }))
        }
        let kept = Array(streams.prefix(WireConstants.maxInterestEntries))
        return peerPage(
            encode(message(kept)), extra: streams.dropFirst(kept.count).map { entryBytes(message([$0])) }, page: page, pages: pages,
            count: count ?? streams.count)
    }

    /// PEER_BLOCKS of (producer, state, stamp) entries; a producer id or state the codec cannot hold is patched in.
    static func peerBlocks(
        _ token: UInt64, _ brokerID: UInt64, _ version: UInt32, _ page: UInt8, _ pages: UInt8, _ entries: [(UInt32, UInt8, UInt64)],
        count: Int? = nil
    ) -> [UInt8] {
        func entry(_ e: (UInt32, UInt8, UInt64)) -> PeerBlockEntry {
            PeerBlockEntry(producer: ProducerID(rawValue: e.0 & 0xFF_FFFF) ?? ProducerID(rawValue: 1)!, blocked: e.1 != 0, stamp: e.2)
        }
        func message(_ list: [PeerBlockEntry]) -> Message {
            .peerBlocks(PeerBlocks(token: token, brokerID: brokerID, version: version, page: 0, pages: 1, entries: list))
        }
        let kept = Array(entries.prefix(WireConstants.maxBlockEntries))
        var b = peerPage(
            encode(message(kept.map(entry))), extra: entries.dropFirst(kept.count).map { entryBytes(message([entry($0)])) }, page: page, pages: pages,
            count: count ?? entries.count)
        for (i, e) in entries.enumerated() {
            let at = WireConstants.peerPageHeader + PeerBlockEntry.size * i
            put(&b, at: at, UInt64(e.0), 4)
            b[at + 4] = e.1
        }
        return sealedPeer(b)
    }
}
