extension Message {
    /// Encodes the message into one datagram. Encoding cannot fail; callers keep within the limits (preconditions).
    public func encode() -> [UInt8] {
        var w = ByteWriter(capacity: type == .data ? WireConstants.maxDatagram : 64)
        w.write(WireConstants.magic)
        w.write(WireConstants.version)
        w.write(type.rawValue)
        switch self {
        case .hello(let h):
            h.writeSigned(into: &w)
            if h.role == .producer {
                // An unsigned producer HELLO carries a zero proof, which no broker accepts.
                precondition(h.proof.isEmpty || h.proof.count == StreamKeys.proofBytes)
                if h.proof.isEmpty { w.zeros(StreamKeys.proofBytes) } else { w.write(bytes: h.proof) }
            }
            w.pad(to: WireConstants.helloMinSize)
        case .cookie(let nonce, let token, let challenge):
            w.write(nonce)
            w.write(token)
            if let challenge { w.write(challenge) }
        case .welcome(let m):
            w.write(m.nonce)
            w.write(m.epoch)
            w.write(m.heartbeatMillis)
            w.write(m.leaseMisses)
            w.zeros(3)
        case .heartbeat(let token, let sendTime, let rtt, let report):
            w.write(token)
            w.write(sendTime)
            w.write(rtt)
            if let report {
                w.write(report.received)
                w.write(report.lost)
            }
        case .heartbeatAck(let echo, let epoch):
            w.write(echo)
            w.write(epoch)
        case .subscribe(let r), .unsubscribe(let r):
            w.write(r.token)
            w.write(r.requestID)
            w.write(r.selector.rawValue)
            w.write(r.flags)
            w.zeros(3)
        case .ack(let a):
            w.write(a.requestID)
            w.write(a.selector.rawValue)
            w.write(a.status.rawValue)
            w.zeros(3)
        case .error(let e):
            let reason = Array(e.reason.utf8.prefix(WireConstants.maxReasonBytes))
            w.write(e.requestID)
            w.write(e.code.rawValue)
            w.write(UInt8(reason.count))
            w.write(bytes: reason)
        case .data(let h, let payload):
            DataHeader.write(h, into: &w)
            w.write(bytes: payload)
            precondition(w.bytes.count <= WireConstants.maxDatagram)
        case .nack(let n):
            precondition(n.ranges.count <= WireConstants.maxNackRanges)
            w.write(n.token)
            w.write(n.stream.rawValue)
            w.write(n.rttMicros)
            w.write(UInt8(n.ranges.count))
            w.zeros(3)
            for r in n.ranges {
                w.write(r.start)
                w.write(r.count)
            }
        case .streamStatus(let s):
            w.write(s.stream.rawValue)
            w.write(s.state.rawValue)
            w.zeros(3)
            w.write(s.rateMilli)
        case .listRequest(let token, let requestID):
            w.write(token)
            w.write(requestID)
        case .listReply(let l):
            precondition(l.entries.count <= WireConstants.maxListEntriesPerDatagram)
            w.write(l.requestID)
            w.write(l.total)
            w.write(l.first)
            w.write(UInt8(l.entries.count))
            w.zeros(3)
            for e in l.entries {
                w.write(e.stream.rawValue)
                w.write(e.state.rawValue)
                w.write24(e.origin)
                w.write(e.rateMilli)
                w.write(e.subscribers)
            }
        case .bye(let token, let reason):
            w.write(token)
            w.write(reason.rawValue)
            w.zeros(3)
        case .peerHello, .peerAnnounce, .peerInterest, .peerBlocks:
            Message.encodePeer(self, into: &w)
        }
        return w.bytes
    }

    /// Reads the common 4-byte header and returns the message type, or a typed error.
    public static func peekType(_ bytes: ArraySlice<UInt8>) throws(WireError) -> MessageType {
        var r = ByteReader(bytes)
        let magic = try r.u16(.magic)
        guard magic == WireConstants.magic else { throw .badMagic(magic) }
        let version = try r.u8(.version)
        guard version == WireConstants.version else { throw .unsupportedVersion(version) }
        let t = try r.u8(.type)
        guard let type = MessageType(rawValue: t) else { throw .unknownType(t) }
        return type
    }

    public static func decode(_ bytes: [UInt8]) throws(WireError) -> Message { try decode(bytes[...]) }

    /// Decodes one datagram. Never traps and never allocates more than the datagram's own size.
    public static func decode(_ bytes: ArraySlice<UInt8>) throws(WireError) -> Message {
        guard bytes.count <= WireConstants.maxDatagram else {
            throw .limitExceeded(limit: .maxDatagram, value: bytes.count)
        }
        let type = try peekType(bytes)
        var r = ByteReader(bytes)
        try r.skip(4, .header)
        switch type {
        case .hello:
            guard bytes.count >= WireConstants.helloMinSize else { throw .badLength(type: .hello, length: bytes.count) }
            let token = try r.u64(.token)
            let nonce = try r.u64(.nonce)
            let roleByte = try r.u8(.role)
            guard let role = PeerRole(rawValue: roleByte), role != .broker else { throw .badField(field: .role, value: UInt64(roleByte)) }
            let count = Int(try r.u8(.streamCount))
            guard count <= WireConstants.maxStreamsPerProducer else { throw .limitExceeded(limit: .maxStreamsPerProducer, value: count) }
            let pid = try r.u24(.producerID)
            try r.skip(1, .reserved)
            let challenge = try r.u64(.challenge)
            var streams: [StreamDescriptor] = []
            for _ in 0..<count {
                let index = try r.u8(.streamIndex)
                let kindByte = try r.u8(.kind)
                try r.skip(2, .reserved)
                let rate = try r.u32(.rate)
                guard index != 0 else { throw .badField(field: .streamIndex, value: 0) }
                guard let kind = StreamKind(rawValue: kindByte) else { throw .badField(field: .kind, value: UInt64(kindByte)) }
                streams.append(StreamDescriptor(index: index, kind: kind, rateMilli: rate))
            }
            if role == .producer {
                guard pid != 0 else { throw .badField(field: .producerID, value: 0) }
                let proof = Array(try r.take(StreamKeys.proofBytes, .proof))
                return .hello(
                    Hello(
                        token: token, nonce: nonce, role: role, producer: ProducerID(rawValue: pid), streams: streams, proof: proof,
                        challenge: challenge))
            }
            return .hello(Hello(token: token, nonce: nonce, role: role, producer: nil, streams: streams, challenge: challenge))
        case .cookie:
            // 20 bytes; 28 with the challenge, answering a HELLO.
            guard bytes.count == 20 || bytes.count == WireConstants.cookieWithChallengeSize else {
                throw .badLength(type: .cookie, length: bytes.count)
            }
            let nonce = try r.u64(.nonce)
            let token = try r.u64(.token)
            guard bytes.count == WireConstants.cookieWithChallengeSize else { return .cookie(nonce: nonce, token: token) }
            return .cookie(nonce: nonce, token: token, challenge: try r.u64(.challenge))
        case .welcome:
            try exact(bytes, 28, .welcome)
            let nonce = try r.u64(.nonce)
            let epoch = try r.u64(.epoch)
            let hb = try r.u32(.heartbeatMs)
            let misses = try r.u8(.leaseMisses)
            guard hb > 0 else { throw .badField(field: .heartbeatMs, value: 0) }
            guard misses > 0 else { throw .badField(field: .leaseMisses, value: 0) }
            return .welcome(Welcome(nonce: nonce, epoch: epoch, heartbeatMillis: hb, leaseMisses: misses))
        case .heartbeat:
            // 24 bytes, or 32 with a receiver report; nothing else.
            guard bytes.count == ReceiverReport.heartbeatSize || bytes.count == ReceiverReport.heartbeatWithReportSize else {
                throw .badLength(type: .heartbeat, length: bytes.count)
            }
            let token = try r.u64(.token)
            let sendTime = try r.u64(.sendTime)
            let rtt = try r.u32(.rtt)
            guard bytes.count == ReceiverReport.heartbeatWithReportSize else { return .heartbeat(token: token, sendTime: sendTime, rttMicros: rtt) }
            let report = ReceiverReport(received: try r.u32(.received), lost: try r.u32(.lost))
            return .heartbeat(token: token, sendTime: sendTime, rttMicros: rtt, report: report)
        case .heartbeatAck:
            try exact(bytes, 20, .heartbeatAck)
            return .heartbeatAck(echoTime: try r.u64(.echoTime), epoch: try r.u64(.epoch))
        case .subscribe, .unsubscribe:
            try exact(bytes, 24, type)
            let token = try r.u64(.token)
            let rid = try r.u32(.requestID)
            let sel = StreamID(rawValue: try r.u32(.selector))
            let flags = try r.u8(.flags)
            let req = SubscriptionRequest(token: token, requestID: rid, selector: sel, flags: flags)
            return type == .subscribe ? .subscribe(req) : .unsubscribe(req)
        case .ack:
            try exact(bytes, 16, .ack)
            let rid = try r.u32(.requestID)
            let sel = StreamID(rawValue: try r.u32(.selector))
            let s = try r.u8(.status)
            guard let status = AckStatus(rawValue: s) else { throw .badField(field: .status, value: UInt64(s)) }
            return .ack(Ack(requestID: rid, selector: sel, status: status))
        case .error:
            let rid = try r.u32(.requestID)
            let c = try r.u8(.code)
            guard let code = ErrorCode(rawValue: c) else { throw .badField(field: .code, value: UInt64(c)) }
            let len = Int(try r.u8(.reasonLength))
            guard len <= WireConstants.maxReasonBytes else { throw .limitExceeded(limit: .maxReasonBytes, value: len) }
            let text = try r.take(len, .reason)
            guard r.remaining == 0 else { throw .badLength(type: .error, length: bytes.count) }
            return .error(ErrorReply(requestID: rid, code: code, reason: String(decoding: text, as: UTF8.self)))
        case .data:
            let h = try DataHeader.parse(bytes)
            return .data(h, payload: bytes[(bytes.startIndex + WireConstants.dataHeaderSize)...])
        case .nack:
            let token = try r.u64(.token)
            let stream = StreamID(rawValue: try r.u32(.streamID))
            let rtt = try r.u32(.rtt)
            let count = Int(try r.u8(.rangeCount))
            try r.skip(3, .reserved)
            guard count >= 1, count <= WireConstants.maxNackRanges else { throw .limitExceeded(limit: .maxNackRanges, value: count) }
            guard r.remaining == count * 6 else { throw .badLength(type: .nack, length: bytes.count) }
            var ranges: [NackRange] = []
            ranges.reserveCapacity(count)
            for _ in 0..<count {
                let start = try r.u32(.start)
                let n = try r.u16(.count)
                guard n >= 1 else { throw .badField(field: .count, value: 0) }
                ranges.append(NackRange(start: start, count: n))
            }
            return .nack(Nack(token: token, stream: stream, rttMicros: rtt, ranges: ranges))
        case .streamStatus:
            try exact(bytes, 16, .streamStatus)
            let stream = StreamID(rawValue: try r.u32(.streamID))
            let s = try r.u8(.state)
            guard let state = StreamState(rawValue: s) else { throw .badField(field: .state, value: UInt64(s)) }
            try r.skip(3, .reserved)
            return .streamStatus(StreamStatus(stream: stream, state: state, rateMilli: try r.u32(.rate)))
        case .listRequest:
            try exact(bytes, 16, .listRequest)
            return .listRequest(token: try r.u64(.token), requestID: try r.u32(.requestID))
        case .listReply:
            let rid = try r.u32(.requestID)
            let total = try r.u16(.total)
            let first = try r.u16(.first)
            let count = Int(try r.u8(.entryCount))
            try r.skip(3, .reserved)
            guard count <= WireConstants.maxListEntriesPerDatagram else { throw .limitExceeded(limit: .maxListEntries, value: count) }
            guard r.remaining == count * WireConstants.listEntrySize else { throw .badLength(type: .listReply, length: bytes.count) }
            guard Int(first) + count <= Int(total) else { throw .badField(field: .first, value: UInt64(first)) }
            var entries: [ListEntry] = []
            entries.reserveCapacity(count)
            for _ in 0..<count {
                let stream = StreamID(rawValue: try r.u32(.streamID))
                let s = try r.u8(.state)
                guard let state = StreamState(rawValue: s) else { throw .badField(field: .state, value: UInt64(s)) }
                let origin = try r.u24(.origin)
                let rate = try r.u32(.rate)
                let subs = try r.u32(.subscribers)
                entries.append(ListEntry(stream: stream, state: state, rateMilli: rate, subscribers: subs, origin: origin))
            }
            return .listReply(ListReply(requestID: rid, total: total, first: first, entries: entries))
        case .bye:
            // 16 bytes; 24 between brokers, whose last 8 are the cluster tag (checked by the broker, §12).
            guard bytes.count == 16 || bytes.count == WireConstants.peerByeSize else { throw .badLength(type: .bye, length: bytes.count) }
            let token = try r.u64(.token)
            let b = try r.u8(.reason)
            guard let reason = ByeReason(rawValue: b) else { throw .badField(field: .reason, value: UInt64(b)) }
            return .bye(token: token, reason: reason)
        case .peerHello, .peerAnnounce, .peerInterest, .peerBlocks:
            return try decodePeer(type, bytes, &r)
        }
    }

    private static func exact(_ bytes: ArraySlice<UInt8>, _ n: Int, _ name: MessageType) throws(WireError) {
        guard bytes.count == n else { throw .badLength(type: name, length: bytes.count) }
    }
}

extension Hello {
    /// This HELLO with the proof of `streamKey` (a producer's).
    public func signed(streamKey: [UInt8]) -> Hello {
        var h = self
        h.proof = StreamKeys.helloProof(streamKey: streamKey, signed: signedBytes())
        return h
    }

    /// The HELLO's bytes up to its last stream descriptor: what a producer's proof covers.
    public func signedBytes() -> [UInt8] {
        var w = ByteWriter(capacity: 64)
        w.write(WireConstants.magic)
        w.write(WireConstants.version)
        w.write(MessageType.hello.rawValue)
        writeSigned(into: &w)
        return w.bytes
    }

    /// The fields after the common header, up to the last descriptor.
    fileprivate func writeSigned(into w: inout ByteWriter) {
        precondition(streams.count <= WireConstants.maxStreamsPerProducer)
        w.write(token)
        w.write(nonce)
        w.write(role.rawValue)
        w.write(UInt8(streams.count))
        w.write24(producer?.rawValue ?? 0)
        w.write(UInt8(0))
        w.write(challenge)
        for s in streams {
            w.write(s.index)
            w.write(s.kind.rawValue)
            w.write(UInt16(0))
            w.write(s.rateMilli)
        }
    }
}

extension DataHeader {
    static func write(_ h: DataHeader, into w: inout ByteWriter) {
        w.write(h.stream.rawValue)
        w.write(h.sequence)
        w.write(h.frameNumber)
        w.write(h.frameLength)
        w.write(h.chunkIndex)
        w.write(h.chunkCount)
        w.write(h.captureTime)
        w.write(h.flags)
        w.zeros(3)
        w.zeros(8)  // the MAC, stamped by DataMAC once the datagram is whole
    }

    /// Parses and validates a whole DATA datagram (header and payload length) without copying the payload.
    /// This is the broker's hot path: it forwards the bytes it validated here unchanged.
    public static func parse(_ bytes: ArraySlice<UInt8>) throws(WireError) -> DataHeader {
        guard bytes.count >= WireConstants.dataHeaderSize else { throw .truncated(field: .dataHeader) }
        guard bytes.count <= WireConstants.maxDatagram else { throw .limitExceeded(limit: .maxDatagram, value: bytes.count) }
        let h: DataHeader = bytes.withUnsafeBytes { raw in
            func u32(_ o: Int) -> UInt32 { UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: o, as: UInt32.self)) }
            func u16(_ o: Int) -> UInt16 { UInt16(bigEndian: raw.loadUnaligned(fromByteOffset: o, as: UInt16.self)) }
            return DataHeader(
                stream: StreamID(rawValue: u32(4)), sequence: u32(8), frameNumber: u32(12), frameLength: u32(16),
                chunkIndex: u16(20), chunkCount: u16(22),
                captureTime: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 24, as: UInt64.self)),
                flags: raw[32])
        }
        let b = bytes.startIndex
        guard bytes[b] == 0x56, bytes[b + 1] == 0x42 else {
            throw .badMagic(UInt16(bytes[b]) << 8 | UInt16(bytes[b + 1]))
        }
        guard bytes[b + 2] == WireConstants.version else { throw .unsupportedVersion(bytes[b + 2]) }
        guard bytes[b + 3] == MessageType.data.rawValue else { throw .unknownType(bytes[b + 3]) }
        guard h.stream.index != 0, h.stream.rawValue >> 8 != 0 else { throw .badField(field: .streamID, value: UInt64(h.stream.rawValue)) }
        guard h.frameLength >= 1 else { throw .badField(field: .frameLength, value: 0) }
        guard h.frameLength <= UInt32(WireConstants.maxFrameBytes) else { throw .limitExceeded(limit: .maxFrameBytes, value: Int(h.frameLength)) }
        let chunks = (Int(h.frameLength) + WireConstants.chunkPayload - 1) / WireConstants.chunkPayload
        guard Int(h.chunkCount) == chunks else { throw .badField(field: .chunkCount, value: UInt64(h.chunkCount)) }
        guard h.chunkIndex < h.chunkCount else { throw .badField(field: .chunkIndex, value: UInt64(h.chunkIndex)) }
        guard bytes.count - WireConstants.dataHeaderSize == h.expectedPayload else {
            throw .badLength(type: .data, length: bytes.count)
        }
        return h
    }
}
