/// Encoding and decoding of the broker-to-broker messages (types 16–19). The tag (last 8 bytes) is written as zero
/// here and sealed by `ClusterKey.seal`; the decoder reads the fields only (the broker checks the tag first).
extension Message {
    static func encodePeer(_ m: Message, into w: inout ByteWriter) {
        switch m {
        case .peerHello(let h):
            w.write(h.token)
            w.write(h.brokerID)
            w.write(h.sendTime)
            w.write(h.echoTime)
            w.write(h.announceVersion)
            w.write(h.announceAck)
            w.write(h.interestVersion)
            w.write(h.interestAck)
            w.write(h.echoDelay)
        case .peerAnnounce(let p):
            precondition(p.entries.count <= WireConstants.maxAnnounceEntries)
            writePageHeader(p, count: p.entries.count, into: &w)
            for e in p.entries {
                w.write(e.stream.rawValue)
                w.write(e.kind.rawValue)
                w.zeros(3)
                w.write(e.rateMilli)
                w.write(e.claim)
                w.write(e.nonce)
            }
        case .peerInterest(let p):
            precondition(p.entries.count <= WireConstants.maxInterestEntries)
            writePageHeader(p, count: p.entries.count, into: &w)
            for s in p.entries { w.write(s.rawValue) }
        case .peerBlocks(let p):
            precondition(p.entries.count <= WireConstants.maxBlockEntries)
            writePageHeader(p, count: p.entries.count, into: &w)
            for e in p.entries {
                w.write(e.producer.rawValue)
                w.write(UInt8(e.blocked ? 1 : 0))
                w.zeros(3)
                w.write(e.stamp)
            }
        default:
            preconditionFailure("not a peer message")
        }
        w.zeros(WireConstants.peerTagSize)
    }

    private static func writePageHeader<E>(_ p: PeerPage<E>, count: Int, into w: inout ByteWriter) {
        w.write(p.token)
        w.write(p.brokerID)
        w.write(p.version)
        w.write(p.page)
        w.write(p.pages)
        w.write(UInt16(count))
    }

    static func decodePeer(_ type: MessageType, _ bytes: ArraySlice<UInt8>, _ r: inout ByteReader) throws(WireError) -> Message {
        switch type {
        case .peerHello:
            guard bytes.count == PeerHello.size else { throw .badLength(type: .peerHello, length: bytes.count) }
            let h = PeerHello(
                token: try r.u64(.token), brokerID: try r.u64(.brokerID), sendTime: try r.u64(.sendTime), echoTime: try r.u64(.echoTime),
                announceVersion: try r.u32(.announceVersion), announceAck: try r.u32(.announceAck),
                interestVersion: try r.u32(.interestVersion), interestAck: try r.u32(.interestAck), echoDelay: try r.u32(.echoDelay))
            return .peerHello(h)
        case .peerAnnounce:
            let (token, id, version, page, pages, count) = try pageHeader(bytes, &r, entrySize: PeerAnnounceEntry.size, .peerAnnounce)
            guard count <= WireConstants.maxAnnounceEntries else { throw .limitExceeded(limit: .maxAnnounceEntries, value: count) }
            var entries: [PeerAnnounceEntry] = []
            for _ in 0..<count {
                let stream = StreamID(rawValue: try r.u32(.streamID))
                let k = try r.u8(.kind)
                try r.skip(3, .reserved)
                guard let kind = StreamKind(rawValue: k) else { throw .badField(field: .kind, value: UInt64(k)) }
                guard stream.index != 0, stream.rawValue >> 8 != 0 else { throw .badField(field: .streamID, value: UInt64(stream.rawValue)) }
                entries.append(
                    PeerAnnounceEntry(stream: stream, kind: kind, rateMilli: try r.u32(.rate), claim: try r.u32(.claim), nonce: try r.u64(.nonce)))
            }
            return .peerAnnounce(PeerAnnounce(token: token, brokerID: id, version: version, page: page, pages: pages, entries: entries))
        case .peerInterest:
            let (token, id, version, page, pages, count) = try pageHeader(bytes, &r, entrySize: 4, .peerInterest)
            guard count <= WireConstants.maxInterestEntries else { throw .limitExceeded(limit: .maxInterestEntries, value: count) }
            var entries: [StreamID] = []
            for _ in 0..<count {
                let stream = StreamID(rawValue: try r.u32(.streamID))
                guard stream.index != 0, stream.rawValue >> 8 != 0 else { throw .badField(field: .streamID, value: UInt64(stream.rawValue)) }
                entries.append(stream)
            }
            return .peerInterest(PeerInterest(token: token, brokerID: id, version: version, page: page, pages: pages, entries: entries))
        case .peerBlocks:
            let (token, id, version, page, pages, count) = try pageHeader(bytes, &r, entrySize: PeerBlockEntry.size, .peerBlocks)
            guard count <= WireConstants.maxBlockEntries else { throw .limitExceeded(limit: .maxBlockEntries, value: count) }
            var entries: [PeerBlockEntry] = []
            for _ in 0..<count { entries.append(try blockEntry(&r)) }
            return .peerBlocks(PeerBlocks(token: token, brokerID: id, version: version, page: page, pages: pages, entries: entries))
        default:
            preconditionFailure("not a peer message")
        }
    }

    /// One PEER_BLOCKS entry: a producer id of 24 bits other than 0, a state of 0 or 1, three zero bytes, the stamp.
    private static func blockEntry(_ r: inout ByteReader) throws(WireError) -> PeerBlockEntry {
        let raw = try r.u32(.producerID)
        guard raw != 0, let producer = ProducerID(rawValue: raw) else { throw .badField(field: .producerID, value: UInt64(raw)) }
        let state = try r.u8(.state)
        guard state <= 1 else { throw .badField(field: .state, value: UInt64(state)) }
        try r.skip(3, .reserved)
        return PeerBlockEntry(producer: producer, blocked: state == 1, stamp: try r.u64(.stamp))
    }

    /// The common 24 bytes after the message header of PEER_ANNOUNCE and PEER_INTEREST, with the length check.
    private static func pageHeader(_ bytes: ArraySlice<UInt8>, _ r: inout ByteReader, entrySize: Int, _ name: MessageType) throws(WireError) -> (
        UInt64, UInt64, UInt32, UInt8, UInt8, Int
    ) {
        let token = try r.u64(.token)
        let id = try r.u64(.brokerID)
        let version = try r.u32(.version)
        let page = try r.u8(.page)
        let pages = try r.u8(.pages)
        let count = Int(try r.u16(.count))
        guard pages >= 1, page < pages else { throw .badField(field: .page, value: UInt64(page)) }
        guard bytes.count == WireConstants.peerPageHeader + count * entrySize + WireConstants.peerTagSize else {
            throw .badLength(type: name, length: bytes.count)
        }
        return (token, id, version, page, pages, count)
    }
}
