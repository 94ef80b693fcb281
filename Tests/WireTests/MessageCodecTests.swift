import SimulationSupport
import XCTest

@testable import Wire

/// Valid messages of every type, with edge values (empty and full lists, extremes of every integer).
enum Samples {
    static func dataMessage(frameLength: Int, chunkIndex: Int, seed: UInt64 = 1, flags: UInt8 = 0) -> Message {
        let count = (frameLength + WireConstants.chunkPayload - 1) / WireConstants.chunkPayload
        let h = DataHeader(
            stream: videoStream, sequence: UInt32.max, frameNumber: 77, frameLength: UInt32(frameLength),
            chunkIndex: UInt16(chunkIndex), chunkCount: UInt16(count), captureTime: 1_700_000_000_000_000, flags: flags)
        return .data(h, payload: ArraySlice(randomFrame(h.expectedPayload, seed: seed)))
    }

    static let producerHello = Message.hello(
        Hello(
            token: .max, nonce: 0x0123_4567_89ab_cdef, role: .producer, producer: testProducer,
            streams: [StreamDescriptor(index: 1, kind: .video, rateMilli: 30_000), StreamDescriptor(index: 2, kind: .audio, rateMilli: .max)]
        ).signed(streamKey: testStreamKey()))

    static let fullHello: Message = {
        let streams = (1...WireConstants.maxStreamsPerProducer).map {
            StreamDescriptor(index: UInt8($0), kind: $0 % 2 == 0 ? .audio : .video, rateMilli: UInt32($0) * 1000)
        }
        let pid = ProducerID(rawValue: 0xFF_FFFF)!
        return .hello(Hello(token: 5, nonce: 6, role: .producer, producer: pid, streams: streams).signed(streamKey: testStreamKey(pid)))
    }()

    static let fullListReply: Message = {
        let entries = (0..<WireConstants.maxListEntriesPerDatagram).map {
            ListEntry(
                stream: StreamID(rawValue: 0x0100_0001 + UInt32($0)), state: $0 % 3 == 0 ? .offline : .online, rateMilli: 30_000,
                subscribers: UInt32($0))
        }
        return .listReply(ListReply(requestID: 13, total: 200, first: 100, entries: entries))
    }()

    static let messages: [Message] = {
        let ranges = (0..<WireConstants.maxNackRanges).map { NackRange(start: UInt32.max - UInt32($0 * 10), count: UInt16($0 + 1)) }
        return [
            .hello(Hello(token: 0, nonce: 1, role: .client)),
            producerHello,
            fullHello,
            .cookie(nonce: 7, token: 0xdead_beef_cafe_f00d),
            .welcome(Welcome(nonce: 9, epoch: .max, heartbeatMillis: 500, leaseMisses: 6)),
            .heartbeat(token: 1, sendTime: .max, rttMicros: 3),
            .heartbeatAck(echoTime: 5, epoch: 6),
            .subscribe(SubscriptionRequest(token: 1, requestID: 2, selector: allOfTestProducer, flags: SubscriptionRequest.resumeFlag)),
            .subscribe(SubscriptionRequest(token: .max, requestID: .max, selector: videoStream)),
            .unsubscribe(SubscriptionRequest(token: 3, requestID: 4, selector: audioStream)),
            .ack(Ack(requestID: 3, selector: videoStream, status: .online)),
            .ack(Ack(requestID: .max, selector: allOfTestProducer, status: .offline)),
            .ack(Ack(requestID: 2, selector: allOfTestProducer, status: .waiting)),
            .error(ErrorReply(requestID: 4, code: .unknownStream, reason: "no stream 1AAA9901 is known")),
            .error(ErrorReply(requestID: 0, code: .limitReached, reason: "")),
            .error(ErrorReply(requestID: 1, code: .noSession, reason: String(repeating: "x", count: WireConstants.maxReasonBytes))),
            .error(ErrorReply(requestID: 2, code: .badRequest, reason: "é ✓")),
            .error(ErrorReply(requestID: 3, code: .notSubscribed, reason: "n")),
            dataMessage(frameLength: 1, chunkIndex: 0),
            dataMessage(frameLength: 20_000, chunkIndex: 0),
            dataMessage(frameLength: 20_000, chunkIndex: 14, flags: DataHeader.retransmitFlag | DataHeader.cachedFlag),
            dataMessage(frameLength: WireConstants.maxFrameBytes, chunkIndex: Limits().maxChunksPerFrame - 1),
            .nack(Nack(token: 8, stream: videoStream, rttMicros: 20_000, ranges: [NackRange(start: 10, count: 1)])),
            .nack(Nack(token: 9, stream: audioStream, rttMicros: 0, ranges: ranges)),
            .streamStatus(StreamStatus(stream: videoStream, state: .online, rateMilli: 30_000)),
            .streamStatus(StreamStatus(stream: audioStream, state: .offline, rateMilli: 0)),
            .listRequest(token: 10, requestID: 11),
            .listReply(ListReply(requestID: 12, total: 0, first: 0, entries: [])),
            fullListReply,
            .bye(token: 14, reason: .shutdown),
            .bye(token: 0, reason: .quit),
        ] + peerMessages
    }()

    static let fullAnnounce: Message = {
        let entries = (0..<WireConstants.maxAnnounceEntries).map { i -> PeerAnnounceEntry in
            let stream = StreamID(producer: testProducer, index: UInt8(i + 1))
            return PeerAnnounceEntry(
                stream: stream, kind: i % 2 == 0 ? .video : .audio, rateMilli: UInt32(i), claim: UInt32(i * 7), nonce: UInt64(i) << 40 | 1)
        }
        return .peerAnnounce(PeerAnnounce(token: .max, brokerID: 1, version: .max, page: 254, pages: 255, entries: entries))
    }()

    static let fullInterest: Message = {
        let entries = (0..<WireConstants.maxInterestEntries).map { StreamID(rawValue: 0x0100_0001 + UInt32($0) << 8) }
        return .peerInterest(PeerInterest(token: 5, brokerID: 6, version: 7, page: 0, pages: 1, entries: entries))
    }()

    static let peerMessages: [Message] = [
        .peerHello(
            PeerHello(
                token: 1, brokerID: .max, sendTime: 3, echoTime: 4, announceVersion: 5, announceAck: 6, interestVersion: 7, interestAck: 8,
                echoDelay: 9)),
        .peerAnnounce(PeerAnnounce(token: 2, brokerID: 3, version: 4, page: 0, pages: 1, entries: [])),
        fullAnnounce,
        .peerInterest(PeerInterest(token: 5, brokerID: 6, version: 7, page: 1, pages: 3, entries: [videoStream, audioStream])),
        fullInterest,
        twoBlocks,
        fullBlocks,
    ]

    static let twoBlocks: Message = {
        let first = PeerBlockEntry(producer: testProducer, blocked: true, stamp: 0x0000_0001_0203_0405)
        let second = PeerBlockEntry(producer: ProducerID(rawValue: 0xFF_FFFF)!, blocked: false, stamp: .max)
        return .peerBlocks(PeerBlocks(token: 7, brokerID: 8, version: 9, page: 0, pages: 1, entries: [first, second]))
    }()

    static let fullBlocks: Message = {
        var entries: [PeerBlockEntry] = []
        for i in 0..<WireConstants.maxBlockEntries {
            let stamp: UInt64 = UInt64(i) << 24 | 5
            entries.append(PeerBlockEntry(producer: ProducerID(rawValue: UInt32(i + 1))!, blocked: i % 3 != 0, stamp: stamp))
        }
        return .peerBlocks(PeerBlocks(token: 1, brokerID: 2, version: 3, page: 2, pages: 3, entries: entries))
    }()

    static var datagrams: [[UInt8]] { messages.map { $0.encode() } }
}

final class MessageCodecTests: XCTestCase {
    func testSamplesCoverEveryMessageType() {
        XCTAssertEqual(Set(Samples.messages.map(\.type)), Set(MessageType.allCases))
    }

    func testRoundTripOfEveryMessage() throws {
        for m in Samples.messages {
            let bytes = m.encode()
            XCTAssertLessThanOrEqual(bytes.count, WireConstants.maxDatagram, "\(m.type)")
            XCTAssertEqual(Array(bytes[0..<4]), [0x56, 0x42, 1, m.type.rawValue])
            XCTAssertEqual(try Message.peekType(bytes[...]), m.type)
            XCTAssertEqual(try Message.decode(bytes), m, "\(m.type)")
            // The same bytes inside a larger buffer decode the same (slices keep their indices).
            let embedded = [0xAA, 0xBB, 0xCC] + bytes + [0xDD]
            XCTAssertEqual(try Message.decode(embedded[3..<(3 + bytes.count)]), m, "\(m.type) in a slice")
        }
    }

    func testEncodedSizesMatchTheSpecification() {
        func size(_ m: Message) -> Int { m.encode().count }
        XCTAssertEqual(size(.hello(Hello(token: 0, nonce: 1, role: .client))), WireConstants.helloMinSize)
        XCTAssertEqual(size(Samples.fullHello), 34 + 8 * WireConstants.maxStreamsPerProducer + StreamKeys.proofBytes)
        XCTAssertEqual(size(.cookie(nonce: 1, token: 2)), 20)
        XCTAssertEqual(size(.cookie(nonce: 1, token: 2, challenge: 3)), WireConstants.cookieWithChallengeSize)
        XCTAssertEqual(size(.welcome(Welcome(nonce: 1, epoch: 2, heartbeatMillis: 3, leaseMisses: 4))), 28)
        XCTAssertEqual(size(.heartbeat(token: 1, sendTime: 2, rttMicros: 3)), 24)
        XCTAssertEqual(size(.heartbeatAck(echoTime: 1, epoch: 2)), 20)
        XCTAssertEqual(size(.subscribe(SubscriptionRequest(token: 1, requestID: 2, selector: videoStream))), 24)
        XCTAssertEqual(size(.ack(Ack(requestID: 1, selector: videoStream, status: .online))), 16)
        XCTAssertEqual(size(.error(ErrorReply(requestID: 1, code: .badRequest, reason: "abc"))), 13)
        XCTAssertEqual(size(Samples.dataMessage(frameLength: 20_000, chunkIndex: 0)), WireConstants.maxDatagram)
        XCTAssertEqual(size(Samples.dataMessage(frameLength: 1, chunkIndex: 0)), WireConstants.dataHeaderSize + 1)
        XCTAssertEqual(size(.nack(Nack(token: 1, stream: videoStream, rttMicros: 0, ranges: [NackRange(start: 1, count: 1)]))), 30)
        XCTAssertEqual(size(.streamStatus(StreamStatus(stream: videoStream, state: .online, rateMilli: 1))), 16)
        XCTAssertEqual(size(.listRequest(token: 1, requestID: 2)), 16)
        XCTAssertEqual(
            size(Samples.fullListReply), WireConstants.listHeaderSize + WireConstants.listEntrySize * WireConstants.maxListEntriesPerDatagram)
        XCTAssertEqual(size(.bye(token: 1, reason: .quit)), 16)
        // The broker's answers to a peer without a session are never larger than what the peer sent (no amplification).
        XCTAssertLessThanOrEqual(size(.cookie(nonce: 1, token: 2)), size(.heartbeat(token: 1, sendTime: 2, rttMicros: 3)))
        XCTAssertLessThanOrEqual(size(.welcome(Welcome(nonce: 1, epoch: 2, heartbeatMillis: 3, leaseMisses: 4))), WireConstants.helloMinSize)
    }

    func testFieldsAreBigEndianAtTheirOffsets() throws {
        let bytes = Message.heartbeat(token: 0x0102_0304_0506_0708, sendTime: 0x1112_1314_1516_1718, rttMicros: 0x2122_2324).encode()
        XCTAssertEqual(
            bytes, [0x56, 0x42, 0x01, 0x04, 1, 2, 3, 4, 5, 6, 7, 8, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x21, 0x22, 0x23, 0x24])
        let data = Samples.dataMessage(frameLength: 20_000, chunkIndex: 3, flags: DataHeader.retransmitFlag).encode()
        XCTAssertEqual(Array(data[4..<8]), [0x1A, 0xAA, 0x99, 0x01], "stream id")
        XCTAssertEqual(Array(data[8..<12]), [0xFF, 0xFF, 0xFF, 0xFF], "sequence")
        XCTAssertEqual(Array(data[16..<20]), [0, 0, 0x4E, 0x20], "frame length 20000")
        XCTAssertEqual(Array(data[20..<24]), [0, 3, 0, 15], "chunk index and count")
        XCTAssertEqual(data[32], DataHeader.retransmitFlag)
    }

    func testErrorReasonIsCutToTheLimit() throws {
        let long = String(repeating: "y", count: 300)
        let bytes = Message.error(ErrorReply(requestID: 1, code: .badRequest, reason: long)).encode()
        XCTAssertEqual(bytes.count, 10 + WireConstants.maxReasonBytes)
        guard case .error(let e) = try Message.decode(bytes) else { return XCTFail("not an ERROR") }
        XCTAssertEqual(e.reason, String(repeating: "y", count: WireConstants.maxReasonBytes))
    }

    func testHelloOfAClientIgnoresAProducerID() throws {
        var bytes = Message.hello(Hello(token: 1, nonce: 2, role: .client)).encode()
        bytes[22] = 0x12  // producer_id, meaningless for a client
        guard case .hello(let h) = try Message.decode(bytes) else { return XCTFail("not a HELLO") }
        XCTAssertNil(h.producer)
    }

    // MARK: Malformed input

    func testEveryTruncationIsATypedError() {
        for m in Samples.messages {
            let bytes = m.encode()
            for n in 0..<bytes.count {
                let cut = Array(bytes[0..<n])
                XCTAssertNotNil(decodeError(cut), "\(m.type) cut to \(n) of \(bytes.count) bytes decoded")
                if m.type == .data { XCTAssertNotNil(parseError(cut), "DATA cut to \(n) parsed") }
            }
        }
    }

    func testTrailingBytesAreRefusedExceptHelloPadding() {
        for m in Samples.messages {
            let longer = m.encode() + [0]
            if m.type == .hello {
                XCTAssertNil(decodeError(longer), "HELLO may carry padding")
            } else {
                XCTAssertNotNil(decodeError(longer), "\(m.type) with a trailing byte decoded")
            }
        }
    }

    func testWrongMagicVersionAndType() {
        for bytes in Samples.datagrams {
            var b = bytes
            b[0] = 0x57
            XCTAssertEqual(decodeError(b), .badMagic(0x5742))
            b = bytes
            b[1] = 0
            XCTAssertEqual(decodeError(b), .badMagic(0x5600))
            b = bytes
            b[2] = 2
            XCTAssertEqual(decodeError(b), .unsupportedVersion(2))
            b = bytes
            b[2] = 0
            XCTAssertEqual(decodeError(b), .unsupportedVersion(0))
            for t: UInt8 in [0, 20, 99, 255] {
                b = bytes
                b[3] = t
                XCTAssertEqual(decodeError(b), .unknownType(t))
            }
        }
        XCTAssertEqual(decodeError([]), .truncated(field: .magic))
        XCTAssertEqual(decodeError([0x56, 0x42, 1]), .truncated(field: .type))
        XCTAssertEqual(decodeError([0x56, 0x42, 1, MessageType.bye.rawValue]), .badLength(type: .bye, length: 4))
    }

    func testOversizedDatagramIsRefused() {
        var bytes = Samples.dataMessage(frameLength: 20_000, chunkIndex: 0).encode()
        bytes.append(0)
        XCTAssertEqual(decodeError(bytes), .limitExceeded(limit: .maxDatagram, value: 1401))
        XCTAssertEqual(parseError(bytes), .limitExceeded(limit: .maxDatagram, value: 1401))
        XCTAssertEqual(decodeError([UInt8](repeating: 0x56, count: 65_000)), .limitExceeded(limit: .maxDatagram, value: 65_000))
    }

    func testAbsurdHelloFields() {
        let base = Samples.producerHello.encode()
        var b = base
        b[21] = 17  // stream_count
        XCTAssertEqual(decodeError(b), .limitExceeded(limit: .maxStreamsPerProducer, value: 17))
        b[21] = 255
        XCTAssertEqual(decodeError(b), .limitExceeded(limit: .maxStreamsPerProducer, value: 255))
        // More streams than the datagram holds: the (zeroed) proof and padding read as stream index 0.
        b = base
        for i in 42..<58 { b[i] = 0 }
        b[21] = 8
        XCTAssertEqual(decodeError(b), .badField(field: .streamIndex, value: 0))
        b = base
        b[20] = 3  // role
        XCTAssertEqual(decodeError(b), .badField(field: .role, value: 3))
        b = base
        b[22] = 0
        b[23] = 0
        b[24] = 0  // producer_id 0
        XCTAssertEqual(decodeError(b), .badField(field: .producerID, value: 0))
        b = base
        b[34] = 0  // stream_index
        XCTAssertEqual(decodeError(b), .badField(field: .streamIndex, value: 0))
        b = base
        b[35] = 9  // kind
        XCTAssertEqual(decodeError(b), .badField(field: .kind, value: 9))
        XCTAssertEqual(decodeError(Array(base[0..<63])), .badLength(type: .hello, length: 63))
    }

    func testAbsurdEnumsAndValues() {
        var b = Message.welcome(Welcome(nonce: 1, epoch: 2, heartbeatMillis: 500, leaseMisses: 6)).encode()
        b[20...23] = [0, 0, 0, 0]
        XCTAssertEqual(decodeError(b), .badField(field: .heartbeatMs, value: 0))
        b = Message.ack(Ack(requestID: 1, selector: videoStream, status: .online)).encode()
        b[12] = 3  // 0 online, 1 offline, 2 waiting
        XCTAssertEqual(decodeError(b), .badField(field: .status, value: 3))
        b = Message.error(ErrorReply(requestID: 1, code: .badRequest, reason: "r")).encode()
        b[8] = 0
        XCTAssertEqual(decodeError(b), .badField(field: .code, value: 0))
        b[8] = 7
        XCTAssertEqual(decodeError(b), .badField(field: .code, value: 7))
        b = Message.error(ErrorReply(requestID: 1, code: .badRequest, reason: "r")).encode()
        b[9] = 201
        XCTAssertEqual(decodeError(b), .limitExceeded(limit: .maxReasonBytes, value: 201))
        b[9] = 2
        XCTAssertEqual(decodeError(b), .truncated(field: .reason))
        b[9] = 0
        XCTAssertEqual(decodeError(b), .badLength(type: .error, length: 11))
        b = Message.streamStatus(StreamStatus(stream: videoStream, state: .online, rateMilli: 1)).encode()
        b[8] = 0
        XCTAssertEqual(decodeError(b), .badField(field: .state, value: 0))
        b[8] = 3
        XCTAssertEqual(decodeError(b), .badField(field: .state, value: 3))
        b = Message.bye(token: 1, reason: .quit).encode()
        b[12] = 0
        XCTAssertEqual(decodeError(b), .badField(field: .reason, value: 0))
    }

    func testPeerBlocksLayoutAndAbsurdEntries() {
        let one = PeerBlocks(
            token: 1, brokerID: 2, version: 3, page: 0, pages: 1, entries: [PeerBlockEntry(producer: testProducer, blocked: true, stamp: 0x0102)])
        let b = Message.peerBlocks(one).encode()
        XCTAssertEqual(b.count, WireConstants.peerPageHeader + PeerBlockEntry.size + WireConstants.peerTagSize)
        XCTAssertEqual(b[3], 19)
        XCTAssertEqual(Array(b[28...35]), [0, 0x1A, 0xAA, 0x99, 1, 0, 0, 0])
        XCTAssertEqual(Array(b[36...43]), [0, 0, 0, 0, 0, 0, 1, 2])
        var c = b
        c[32] = 2
        XCTAssertEqual(decodeError(c), .badField(field: .state, value: 2))
        c = b
        c[28...31] = [0, 0, 0, 0]
        XCTAssertEqual(decodeError(c), .badField(field: .producerID, value: 0))
        c = b
        c[28] = 1
        XCTAssertEqual(decodeError(c), .badField(field: .producerID, value: 0x011A_AA99))
        c = b
        c[26...27] = [0, 2]
        XCTAssertEqual(decodeError(c), .badLength(type: .peerBlocks, length: b.count))
        c = b
        c[26...27] = [0xFF, 0xFF]
        XCTAssertEqual(decodeError(c), .badLength(type: .peerBlocks, length: b.count))
    }

    func testAbsurdNackCounts() {
        let base = Message.nack(Nack(token: 1, stream: videoStream, rttMicros: 0, ranges: [NackRange(start: 5, count: 2)])).encode()
        var b = base
        b[20] = 255  // range_count
        XCTAssertEqual(decodeError(b), .limitExceeded(limit: .maxNackRanges, value: 255))
        b[20] = 65
        XCTAssertEqual(decodeError(b), .limitExceeded(limit: .maxNackRanges, value: 65))
        b[20] = 0
        XCTAssertEqual(decodeError(b), .limitExceeded(limit: .maxNackRanges, value: 0))
        b[20] = 2  // claims more ranges than it carries
        XCTAssertEqual(decodeError(b), .badLength(type: .nack, length: 30))
        b = base
        b[28] = 0
        b[29] = 0  // a range of zero datagrams
        XCTAssertEqual(decodeError(b), .badField(field: .count, value: 0))
        XCTAssertEqual(decodeError(base + [0, 0, 0, 0, 0, 0]), .badLength(type: .nack, length: 36))
    }

    func testAbsurdListReplyCounts() {
        let entry = ListEntry(stream: videoStream, state: .online, rateMilli: 1, subscribers: 2)
        let base = Message.listReply(ListReply(requestID: 1, total: 3, first: 0, entries: [entry, entry])).encode()
        var b = base
        b[12] = 255  // entry_count
        XCTAssertEqual(decodeError(b), .limitExceeded(limit: .maxListEntries, value: 255))
        b[12] = UInt8(WireConstants.maxListEntriesPerDatagram + 1)
        XCTAssertEqual(decodeError(b), .limitExceeded(limit: .maxListEntries, value: 86))
        b[12] = 3  // more entries than carried
        XCTAssertEqual(decodeError(b), .badLength(type: .listReply, length: 48))
        b = base
        b[8...9] = [0, 1]  // total 1 < first + count
        XCTAssertEqual(decodeError(b), .badField(field: .first, value: 0))
        b = base
        b[10...11] = [0xFF, 0xFF]  // first 65535: first + count overflows total
        XCTAssertEqual(decodeError(b), .badField(field: .first, value: 0xFFFF))
        b = base
        b[20] = 7  // entry state
        XCTAssertEqual(decodeError(b), .badField(field: .state, value: 7))
    }

    func testAbsurdDataHeaders() {
        let base = Samples.dataMessage(frameLength: 20_000, chunkIndex: 2).encode()
        XCTAssertNil(parseError(base))
        func both(_ b: [UInt8], _ expected: WireError, _ what: String, line: UInt = #line) {
            XCTAssertEqual(parseError(b), expected, what, line: line)
            XCTAssertEqual(decodeError(b), expected, what, line: line)
        }
        func setting(_ range: Range<Int>, _ value: UInt64) -> [UInt8] {
            var b = base
            var v = value
            for i in range.reversed() {
                b[i] = UInt8(truncatingIfNeeded: v)
                v >>= 8
            }
            return b
        }
        both(setting(16..<20, (1 << 20) + 1), .limitExceeded(limit: .maxFrameBytes, value: (1 << 20) + 1), "frame_length > 1 MiB")
        both(setting(16..<20, UInt64(UInt32.max)), .limitExceeded(limit: .maxFrameBytes, value: Int(UInt32.max)), "frame_length 4 GiB")
        both(setting(16..<20, 0), .badField(field: .frameLength, value: 0), "frame_length 0")
        both(setting(22..<24, 14), .badField(field: .chunkCount, value: 14), "chunk_count too small")
        both(setting(22..<24, 0xFFFF), .badField(field: .chunkCount, value: 0xFFFF), "chunk_count absurd")
        both(setting(20..<22, 15), .badField(field: .chunkIndex, value: 15), "chunk_index == chunk_count")
        both(setting(20..<22, 0xFFFF), .badField(field: .chunkIndex, value: 0xFFFF), "chunk_index absurd")
        both(setting(7..<8, 0), .badField(field: .streamID, value: UInt64(videoStream.rawValue & 0xFFFF_FF00)), "stream index 0")
        both(setting(4..<7, 0), .badField(field: .streamID, value: 1), "producer 0")
        // The last chunk of the frame must carry exactly the rest.
        let last = Samples.dataMessage(frameLength: 20_000, chunkIndex: 14).encode()
        XCTAssertEqual(last.count, 44 + 20_000 - 14 * WireConstants.chunkPayload)
        both(last + [0], .badLength(type: .data, length: last.count + 1), "payload too long")
        both(Array(last.dropLast()), .badLength(type: .data, length: last.count - 1), "payload too short")
        // A full-size datagram claiming to be the last chunk.
        both(setting(20..<22, 14), .badLength(type: .data, length: 1400), "payload length mismatch")
        // A header alone.
        both(Array(base[0..<44]), .badLength(type: .data, length: 44), "no payload")
        XCTAssertEqual(parseError(Array(base[0..<43])), .truncated(field: .dataHeader))
        var notData = base
        notData[3] = MessageType.nack.rawValue
        XCTAssertEqual(parseError(notData), .unknownType(MessageType.nack.rawValue))
    }

    func testDataHeaderParseMatchesDecodeAndReadsSlices() throws {
        for m in Samples.messages where m.type == .data {
            guard case .data(let h, let payload) = m else { continue }
            let bytes = m.encode()
            XCTAssertEqual(try DataHeader.parse(bytes[...]), h)
            let embedded = [9, 9, 9, 9, 9] + bytes
            XCTAssertEqual(try DataHeader.parse(embedded[5...]), h)
            guard case .data(let h2, let p2) = try Message.decode(embedded[5...]) else { return XCTFail("not DATA") }
            XCTAssertEqual(h2, h)
            XCTAssertEqual(Array(p2), Array(payload))
        }
    }

    // MARK: Fuzzing

    /// 120,000 seeded datagrams — pure noise, a valid header with a random body, and valid datagrams with
    /// bytes flipped, cut or appended — through both decoders. Nothing traps; whatever decodes re-encodes to
    /// the same message; `DataHeader.parse` and `Message.decode` agree on DATA.
    func testSeededFuzzNeverTrapsAndDecodersAgree() {
        var rng = SplitMix64(seed: 0x00F0_22ED)
        let valid = Samples.datagrams
        var decodedCount = 0
        var errors: [String: Int] = [:]
        let rounds = 120_000
        for round in 0..<rounds {
            var bytes: [UInt8]
            switch round % 4 {
            case 0:
                // Pure noise, mostly short.
                bytes = rng.bytes(rng.chance(0.9) ? rng.int(0...80) : rng.int(0...1500))
            case 1:
                // A valid header of a random (mostly known) type, then noise of a plausible length.
                let type = UInt8(rng.int(0...17))
                let length = type == MessageType.data.rawValue ? rng.int(36...1400) : rng.int(4...160)
                bytes = [0x56, 0x42, 1, type] + rng.bytes(length - 4)
            default:
                // A valid datagram, mutated.
                bytes = valid[rng.int(0...(valid.count - 1))]
                for _ in 0..<rng.int(1...4) {
                    guard !bytes.isEmpty else { break }
                    switch rng.int(0...9) {
                    case 0: bytes.removeLast(rng.int(1...bytes.count))
                    case 1: bytes += rng.bytes(rng.int(1...8))
                    case 2: bytes[rng.int(0...(bytes.count - 1))] = 0xFF
                    case 3: bytes[rng.int(0...(bytes.count - 1))] = 0
                    default:
                        // Mostly in the header, where the fields that matter are.
                        let i = rng.int(0...(min(bytes.count, 40) - 1))
                        bytes[i] ^= UInt8(1 << rng.int(0...7))
                    }
                }
            }
            var message: Message?
            do {
                message = try Message.decode(bytes)
                decodedCount += 1
            } catch {
                errors[error.reason.label, default: 0] += 1
            }
            let parsed: DataHeader?
            do { parsed = try DataHeader.parse(bytes[...]) } catch {
                parsed = nil
            }
            if case .data(let h, _)? = message {
                XCTAssertEqual(parsed, h, "decode and parse disagree")
            } else {
                XCTAssertNil(parsed, "parse accepted what decode refused")
            }
            if let m = message {
                let again = m.encode()
                XCTAssertLessThanOrEqual(again.count, WireConstants.maxDatagram)
                if case .error = m {
                    // A reason that was not UTF-8 may re-encode differently; it must still decode.
                    XCTAssertNil(decodeError(again))
                } else {
                    XCTAssertEqual(try? Message.decode(again), m, "re-encoding changed \(m.type)")
                }
            }
        }
        print("fuzz: \(rounds) datagrams, \(decodedCount) decoded, refused: \(errors.sorted { $0.key < $1.key })")
        // The mutations must get past the magic check and exercise every kind of refusal.
        for reason in ["truncated", "bad_magic", "bad_version", "unknown_type", "bad_length", "bad_field", "limit"] {
            XCTAssertGreaterThan(errors[reason, default: 0], 100, "too few \(reason) refusals: the fuzzer does not reach them")
        }
        XCTAssertGreaterThan(decodedCount, 1_000)
    }
}
