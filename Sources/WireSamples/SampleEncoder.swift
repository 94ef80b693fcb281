import Crypto
import Wire

/// The samples' datagrams, built by `Wire`'s encoders (`Message.encode`, `Hello.signedBytes`, `DataMAC`,
/// `ControlSeal`, `ClusterKey`). A malformed sample is a valid encoding with the one field its name says patched
/// afterwards (the encoders refuse to write such a value), so every byte the dissector reads comes from the codec.
enum SampleEncoder {
    static let token = SipHash24(k0: 0x0706_0504_0302_0100, k1: 0x0F0E_0D0C_0B0A_0908).hash(clientAddress.cookieMaterial) | 1
    static let clientAddress = PeerAddress(ipv4: 0x7F00_0001, port: 40000)
    static let nonce: UInt64 = 0x1122_3344_5566_7789
    /// Issued at 3000 ms of the broker's clock; the low 32 bits are its MAC.
    static let challenge: UInt64 = 0x0000_0BB8_C0FF_EE01
    static let epoch: UInt64 = 0x0123_4567_89AB_CDEF
    static let pid: UInt32 = 0x1AAA99
    static let v1: UInt32 = 0x1AAA_9901
    static let a1: UInt32 = 0x1AAA_9902
    static let selector: UInt32 = 0x1AAA_9900
    /// 2023-11-14 22:13:20.123456 UTC.
    static let captureTime: UInt64 = 1_700_000_000_123_456
    /// The .env's, as in PROTOCOL.md section 11.
    static let publishSecret = Array("demo-publish-secret-change-me".utf8)
    static let streamKey = StreamKeys.streamKey(secret: publishSecret, producer: ProducerID(rawValue: pid)!)
    /// The media key of the producer HELLO sample's session (nonce + 2).
    static let mediaKey = StreamKeys.mediaKey(streamKey: streamKey, nonce: nonce + 2)
    static let cluster = ClusterKey(secret: Array("demo-cluster-secret-change-me".utf8))
    /// Two brokers' ids (epochs): origin tags 4C2A1B and D0E0F1.
    static let brokerA: UInt64 = 0x5EED_0000_004C_2A1B
    static let brokerB: UInt64 = 0x0BAD_CAFE_00D0_E0F1
    /// The link token broker A gives broker B at 127.0.0.1:5001: SipHash of the cookie material and both ids.
    static let peerToken: UInt64 = {
        var w = PeerAddress(ipv4: 0x7F00_0001, port: 5001).cookieMaterial
        for id in [brokerA, brokerB] { w += be(id, 8) }
        return SipHash24(k0: cluster.cookieKey.0, k1: cluster.cookieKey.1).hash(w) | 1
    }()
    static let chunk = WireConstants.chunkPayload

    /// `value`'s low `n` bytes, big-endian.
    static func be(_ value: UInt64, _ n: Int) -> [UInt8] { (0..<n).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64(n - 1 - $0))) } }

    static func put(_ bytes: inout [UInt8], at offset: Int, _ value: UInt64, _ n: Int) {
        bytes.replaceSubrange(offset..<offset + n, with: be(value, n))
    }

    static func hex(_ bytes: some Collection<UInt8>) -> String { bytes.map { String($0, radix: 16).leftPadded(2) }.joined() }
    static func colons(_ bytes: some Collection<UInt8>) -> String { bytes.map { String($0, radix: 16).leftPadded(2) }.joined(separator: ":") }
    static func hex64(_ v: UInt64) -> String { "0x" + String(v, radix: 16).leftPadded(16) }

    static func header(_ type: UInt8, magic: UInt16 = 0x5642, version: UInt8 = 1) -> [UInt8] {
        be(UInt64(magic), 2) + [version, type]
    }

    // MARK: - HELLO

    /// How a producer HELLO's proof is made: under the stream key of its producer id, or none at all.
    enum Proof { case streamKey, none }

    /// A HELLO of `role` (1 producer, 2 client, anything else patched in) with raw descriptors (index, kind, rate).
    static func hello(
        token: UInt64, nonce: UInt64, role: UInt8, pid: UInt32 = 0, streams: [(UInt8, UInt8, UInt32)] = [], proof: Proof = .streamKey,
        challenge: UInt64 = 0
    ) -> [UInt8] {
        let encodable = streams.prefix(WireConstants.maxStreamsPerProducer)
        let h = Hello(
            token: token, nonce: nonce, role: role == 2 ? .client : .producer, producer: ProducerID(rawValue: pid),
            streams: encodable.map { StreamDescriptor(index: $0.0, kind: .video, rateMilli: $0.2) }, challenge: challenge)
        var b = h.signedBytes()
        b[20] = role
        put(&b, at: 22, UInt64(pid), 3)
        for (i, s) in streams.enumerated() {
            if i >= encodable.count { b += [s.0, 0, 0, 0] + be(UInt64(s.2), 4) }
            b[34 + 8 * i + 1] = s.1
        }
        b[21] = UInt8(streams.count)
        if role == 1, proof == .streamKey {
            let key = Array(HMACSHA256.mac(key: publishSecret, Array("vbroker stream key v1".utf8) + be(UInt64(pid), 3)).prefix(16))
            b += StreamKeys.helloProof(streamKey: key, signed: b)
        }
        if b.count < WireConstants.helloMinSize { b += [UInt8](repeating: 0, count: WireConstants.helloMinSize - b.count) }
        return b
    }

    // MARK: - Control messages

    static func encode(_ m: Message) -> [UInt8] { m.encode() }

    static func subscribe(_ token: UInt64, _ rid: UInt32, _ sel: UInt32, flags: UInt8 = 0) -> [UInt8] {
        encode(.subscribe(SubscriptionRequest(token: token, requestID: rid, selector: StreamID(rawValue: sel), flags: flags)))
    }

    static func unsubscribe(_ token: UInt64, _ rid: UInt32, _ sel: UInt32) -> [UInt8] {
        encode(.unsubscribe(SubscriptionRequest(token: token, requestID: rid, selector: StreamID(rawValue: sel))))
    }

    /// An ACK; a status the codec has no case for is patched in.
    static func ack(_ rid: UInt32, _ sel: UInt32, _ status: UInt8) -> [UInt8] {
        var b = encode(.ack(Ack(requestID: rid, selector: StreamID(rawValue: sel), status: AckStatus(rawValue: status) ?? .online)))
        b[12] = status
        return b
    }

    /// An ERROR; a code, a reason longer than the limit or a length byte that disagrees are patched in.
    static func error(_ rid: UInt32, _ code: UInt8, _ reason: String, length: UInt8? = nil) -> [UInt8] {
        var b = encode(.error(ErrorReply(requestID: rid, code: ErrorCode(rawValue: code) ?? .limitReached, reason: reason)))
        b[8] = code
        let bytes = Array(reason.utf8)
        if bytes.count > WireConstants.maxReasonBytes { b = Array(b[..<10]) + bytes }
        b[9] = length ?? UInt8(truncatingIfNeeded: bytes.count)
        return b
    }

    static func welcome(_ nonce: UInt64, _ epoch: UInt64, _ heartbeat: UInt32, _ misses: UInt8) -> [UInt8] {
        encode(.welcome(Welcome(nonce: nonce, epoch: epoch, heartbeatMillis: heartbeat, leaseMisses: misses)))
    }

    static func heartbeat(_ token: UInt64, _ sendTime: UInt64, _ rtt: UInt32, report: (UInt32, UInt32)? = nil) -> [UInt8] {
        encode(.heartbeat(token: token, sendTime: sendTime, rttMicros: rtt, report: report.map { ReceiverReport(received: $0.0, lost: $0.1) }))
    }

    static func heartbeatAck(_ echo: UInt64, _ epoch: UInt64) -> [UInt8] { encode(.heartbeatAck(echoTime: echo, epoch: epoch)) }

    static func cookie(_ nonce: UInt64, _ token: UInt64, challenge: UInt64? = nil) -> [UInt8] {
        encode(.cookie(nonce: nonce, token: token, challenge: challenge))
    }

    /// A NACK of (start, count) ranges; more ranges than the limit, or a count byte that disagrees, are patched in.
    static func nack(_ token: UInt64, _ stream: UInt32, _ rtt: UInt32, _ ranges: [(UInt32, UInt16)], count: UInt8? = nil) -> [UInt8] {
        let kept = ranges.prefix(WireConstants.maxNackRanges)
        var b = encode(
            .nack(Nack(token: token, stream: StreamID(rawValue: stream), rttMicros: rtt, ranges: kept.map { NackRange(start: $0.0, count: $0.1) })))
        for r in ranges.dropFirst(kept.count) { b += be(UInt64(r.0), 4) + be(UInt64(r.1), 2) }
        b[20] = count ?? UInt8(truncatingIfNeeded: ranges.count)
        return b
    }

    /// A STREAM_STATUS; a state the codec has no case for is patched in.
    static func streamStatus(_ stream: UInt32, _ state: UInt8, _ rate: UInt32) -> [UInt8] {
        var b = encode(.streamStatus(StreamStatus(stream: StreamID(rawValue: stream), state: StreamState(rawValue: state) ?? .online, rateMilli: rate)))
        b[8] = state
        return b
    }

    static func listRequest(_ token: UInt64, _ rid: UInt32) -> [UInt8] { encode(.listRequest(token: token, requestID: rid)) }

    /// A LIST_REPLY of (stream, state, rate, subscribers, origin) entries; entries past the limit, a state the codec
    /// has no case for, or a count byte that disagrees are patched in.
    static func listReply(_ rid: UInt32, _ total: UInt16, _ first: UInt16, _ entries: [(UInt32, UInt8, UInt32, UInt32, UInt32)], count: UInt8? = nil)
        -> [UInt8]
    {
        func entry(_ e: (UInt32, UInt8, UInt32, UInt32, UInt32)) -> ListEntry {
            ListEntry(stream: StreamID(rawValue: e.0), state: StreamState(rawValue: e.1) ?? .online, rateMilli: e.2, subscribers: e.3, origin: e.4)
        }
        let kept = entries.prefix(WireConstants.maxListEntriesPerDatagram)
        var b = encode(.listReply(ListReply(requestID: rid, total: total, first: first, entries: kept.map(entry))))
        for e in entries.dropFirst(kept.count) { b += encode(.listReply(ListReply(requestID: 0, total: 0, first: 0, entries: [entry(e)])))[16...] }
        for (i, e) in entries.enumerated() { b[16 + 16 * i + 4] = e.1 }
        b[12] = count ?? UInt8(truncatingIfNeeded: entries.count)
        return b
    }

    static func bye(_ token: UInt64, _ reason: UInt8) -> [UInt8] {
        var b = encode(.bye(token: token, reason: ByeReason(rawValue: reason) ?? .shutdown))
        b[12] = reason
        return b
    }

    /// A control message with the trailer of `seal`.
    static func sealed(_ seal: ControlSeal, _ bytes: [UInt8], _ counter: UInt32) -> [UInt8] { seal.seal(bytes, counter: counter) }

    static func clientSeal(nonce: UInt64 = nonce) -> ControlSeal {
        ControlSeal.derive(streamKey: [], token: token, nonce: nonce, challenge: challenge)
    }
}

extension String {
    func leftPadded(_ n: Int) -> String { count >= n ? self : String(repeating: "0", count: n - count) + self }
}
