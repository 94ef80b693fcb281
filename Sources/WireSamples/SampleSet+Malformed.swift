import Wire

/// Malformed samples on the main port: each breaks one rule of the decoder, and the dissector must flag exactly
/// the expert infos listed.
extension SampleSet {
    static let badLength = "vbwire.malformed.bad_length"
    static let badValue = "vbwire.malformed.bad_value"
    static let truncated = "vbwire.malformed.truncated"
    static let limit = "vbwire.malformed.limit"
    static let tooLong = "vbwire.malformed.too_long"
    static let payloadLength = "vbwire.malformed.payload_length"

    static func malformed() -> [Sample] { malformedControl() + malformedData() + malformedLists() }

    private static func malformedControl() -> [Sample] {
        let t = E.token, n = E.nonce
        func m(_ name: String, _ b: [UInt8], _ experts: [String], _ type: String, texts: [String] = []) -> Sample {
            Sample(name, b, experts: experts, type: type, texts: texts)
        }
        return [
            Sample("bad magic", [0x12, 0x34, 0x01, 0x04] + zeros(20), "Not VB wire: bad magic 0x1234 [Malformed]", experts: ["vbwire.malformed.bad_magic"]),
            Sample(
                "bad version", E.header(4, version: 2) + zeros(20), "VBWIRE unsupported version 2 [Malformed]",
                experts: ["vbwire.malformed.bad_version"]),
            Sample("unknown type", E.header(20) + zeros(12), "VBWIRE unknown type 20 [Malformed]", experts: ["vbwire.malformed.unknown_type"]),
            Sample("type 0", E.header(0) + zeros(12), "VBWIRE unknown type 0 [Malformed]", experts: ["vbwire.malformed.unknown_type"]),
            Sample("3 bytes", Array("VB".utf8) + [1], experts: [truncated]),
            m("HELLO 63 bytes", Array(E.hello(token: 0, nonce: n, role: 2).prefix(63)), [badLength], "HELLO"),
            m("HELLO producer id 0", E.hello(token: t, nonce: n, role: 1, pid: 0, streams: [(1, 1, 12000)]), [badValue], "HELLO"),
            m("HELLO role 3", E.hello(token: t, nonce: n, role: 3), [badValue], "HELLO"),
            m("HELLO stream index 0", E.hello(token: t, nonce: n, role: 1, pid: E.pid, streams: [(0, 1, 12000)]), [badValue], "HELLO"),
            m("HELLO kind 4", E.hello(token: t, nonce: n, role: 1, pid: E.pid, streams: [(1, 4, 12000)]), [badValue], "HELLO"),
            m("HELLO 17 streams", E.hello(token: t, nonce: n, role: 1, pid: E.pid, streams: (1...17).map { (UInt8($0), 1, 1000) }), [limit], "HELLO"),
            m(
                "HELLO producer without its proof",
                E.hello(token: t, nonce: n, role: 1, pid: E.pid, streams: (1...5).map { (UInt8($0), 1, 1000) }, proof: .none), [truncated], "HELLO",
                texts: ["proof needs bytes 74-89, datagram has 74"]),
            m(
                "HELLO 6 streams in 64 bytes", Array(E.hello(token: t, nonce: n, role: 1, pid: E.pid, streams: (1...6).map { (UInt8($0), 1, 1000) }).prefix(64)),
                [truncated], "HELLO"),
            m("COOKIE 21 bytes", E.cookie(n, t) + [0], [badLength], "COOKIE"),
            m("COOKIE 29 bytes", E.cookie(n, t, challenge: E.challenge) + [0], [badLength], "COOKIE"),
            m("WELCOME heartbeat 0", E.welcome(n, E.epoch, 0, 6), [badValue], "WELCOME"),
            m("WELCOME lease 0", E.welcome(n, E.epoch, 500, 0), [badValue], "WELCOME"),
            m("HEARTBEAT 23 bytes", Array(E.heartbeat(t, 1, 1).prefix(23)), [badLength], "HEARTBEAT"),
            m("HEARTBEAT 28 bytes (half a report)", Array(E.heartbeat(t, 1, 1, report: (5, 0)).prefix(28)), [badLength], "HEARTBEAT"),
            m("SUBSCRIBE 28 bytes", E.subscribe(t, 1, E.v1) + zeros(4), [badLength], "SUBSCRIBE"),
            m("ACK status 3", E.ack(7, E.v1, 3), [badValue], "ACK"),
            m("ERROR code 7", E.error(1, 7, "x"), [badValue], "ERROR"),
            m("ERROR reason 201 bytes", E.error(1, 3, String(repeating: "r", count: 201)), [limit], "ERROR"),
            m("ERROR reason cut", E.error(1, 3, "short", length: 10), [truncated], "ERROR"),
            m("ERROR trailing byte", E.error(1, 3, "abc") + Array("!".utf8), [badLength], "ERROR"),
        ]
    }

    private static func malformedData() -> [Sample] {
        let v1 = E.v1
        func m(_ name: String, _ b: [UInt8], _ experts: [String], _ type: String = "DATA", texts: [String] = []) -> Sample {
            Sample(name, b, experts: experts, type: type, texts: texts)
        }
        // A GSO batch that does not split cleanly stays one malformed datagram (decoded as its first message).
        var corrupted = batch
        E.put(&corrupted[5], at: 22, 12, 2)  // segment 6: chunk_count 12 for 11 chunks
        let short = Array(batch[..<4]) + [Array(batch[4].prefix(1000))] + Array(batch[5...])
        return [
            Sample(
                "DATA chunk_count inconsistent", E.data(v1, 1, 1, 10000, 2, count: 7), "DATA 1AAA9901 seq=1 frame=1 chunk 3/7 [Malformed]",
                experts: ["vbwire.malformed.chunk_count"], type: "DATA"),
            m("DATA chunk_index = chunk_count", E.data(v1, 1, 1, 10000, 8, payloadLength: 100), ["vbwire.malformed.chunk_index"]),
            m("DATA payload length wrong", E.data(v1, 1, 1, 10000, 2, payloadLength: 1000), [payloadLength]),
            m("DATA last chunk too long", E.data(v1, 1, 1, 10000, 7, payloadLength: 509), [payloadLength]),
            m("DATA frame_length 0", E.data(v1, 1, 1, 0, 0, count: 0, payloadLength: 0), [badValue]),
            m("DATA frame_length 1 MiB + 1", E.data(v1, 1, 1, 1_048_577, 0), [limit]),
            m("DATA stream index 0", E.data(E.selector, 1, 1, 100, 0), [badValue]),
            m("DATA producer 0", E.data(0x0000_0001, 1, 1, 100, 0), [badValue]),
            m("DATA 30 bytes", Array(E.data(v1, 1, 1, 100, 0).prefix(30)), [truncated]),
            m("DATA 43 bytes (no room for the MAC)", Array(E.data(v1, 1, 1, 100, 0).prefix(43)), [truncated]),
            m("DATA 1401 bytes", E.data(v1, 1, 1, 10000, 0, payloadLength: 1357), [tooLong, payloadLength]),
            Sample(
                "GSO batch, middle segment corrupted", corrupted.flatMap { $0 }, "DATA 1AAA9901 seq=100 frame=5 chunk 1/11 [Malformed]",
                ["vbwire.payload_length": "14700"], experts: [tooLong, payloadLength], type: "DATA",
                texts: [
                    "datagram is 14744 bytes, the limit is 1400 (maxDatagram); not a clean GSO batch of DATA datagrams either: "
                        + "segment 6 of 11 (bytes 7000-8399 of 1400-byte segments) has chunk_count 12 for frame_length 14260"
                ]),
            m("GSO batch, middle segment short", short.flatMap { $0 }, [tooLong, payloadLength]),
            m(
                "GSO batch, last segment cut", Array(batch.flatMap { $0 }.dropLast()), [tooLong, payloadLength],
                texts: ["segment 11 of 11 (bytes 14000-14742 of 1400-byte segments) declares 744 bytes"]),
            Sample(
                "GSO batch of HEARTBEATs", Array((0..<60).map { _ in E.heartbeat(E.token, 1, 1) }.joined()), "HEARTBEAT rtt=1us [Malformed]",
                experts: [tooLong, badLength], type: "HEARTBEAT"),
            m("NACK no ranges", E.nack(E.token, v1, 0, []), [limit], "NACK"),
            m("NACK 65 ranges", E.nack(E.token, v1, 0, (0..<65).map { (UInt32($0 * 10), 1) }), [limit], "NACK"),
            m("NACK count 2, one range", E.nack(E.token, v1, 0, [(5, 1)], count: 2), [badLength], "NACK"),
            m("NACK range of 0", E.nack(E.token, v1, 0, [(5, 0)]), [badValue], "NACK"),
            m("NACK 20 bytes", Array(E.nack(E.token, v1, 0, [(5, 1)]).prefix(20)), [truncated], "NACK"),
            m("STREAM_STATUS state 3", E.streamStatus(v1, 3, 1000), [badValue], "STREAM_STATUS"),
        ]
    }

    private static func malformedLists() -> [Sample] {
        let v1 = E.v1, a1 = E.a1
        func m(_ name: String, _ b: [UInt8], _ experts: [String], _ type: String) -> Sample { Sample(name, b, experts: experts, type: type) }
        return [
            m("LIST_REQUEST 17 bytes", E.listRequest(E.token, 1) + [0], [badLength], "LIST_REQUEST"),
            m("LIST_REPLY first + count > total", E.listReply(10, 2, 1, [(v1, 1, 1000, 0, 0), (a1, 1, 1000, 0, 0)]), [badValue], "LIST_REPLY"),
            m("LIST_REPLY count 2, one entry", E.listReply(10, 2, 0, [(v1, 1, 1000, 0, 0)], count: 2), [badLength], "LIST_REPLY"),
            m("LIST_REPLY 87 entries", E.listReply(10, 87, 0, Array(repeating: (v1, 1, 1000, 0, 0), count: 87)), [limit, tooLong], "LIST_REPLY"),
            m("LIST_REPLY entry state 0", E.listReply(10, 1, 0, [(v1, 0, 1000, 0, 0)]), [badValue], "LIST_REPLY"),
            m("BYE reason 9", E.bye(E.token, 9), [badValue], "BYE"),
            m("BYE 15 bytes", Array(E.bye(E.token, 1).prefix(15)), [badLength], "BYE"),
            m("BYE 20 bytes", E.bye(E.token, 1) + zeros(4), [badLength], "BYE"),
        ]
    }

    static func malformedPeer() -> [Sample] {
        let tok = E.peerToken, a = E.brokerA, b = E.brokerB, v1 = E.v1, n = E.nonce, pid = E.pid
        func m(_ name: String, _ bytes: [UInt8], _ experts: [String], _ type: String, texts: [String] = []) -> Sample {
            Sample(name, bytes, experts: experts, type: type, texts: texts)
        }
        return [
            m("PEER_HELLO 63 bytes", Array(peerHelloSample.prefix(63)), [badLength], "PEER_HELLO"),
            m("PEER_HELLO 66 bytes", peerHelloSample + zeros(2), [badLength], "PEER_HELLO", texts: ["or 68 + 4 * path_count (tree link), got 66"]),
            m(
                "PEER_HELLO role 3", E.peerHello(tok, b, 1, 0, 1, 0, 0, 0, 0, role: 3, path: [0xD0_E0F1]), [badValue], "PEER_HELLO",
                texts: ["role 3 is not allowed"]),
            m(
                "PEER_HELLO path_count 9", E.peerHello(tok, b, 1, 0, 1, 0, 0, 0, 0, role: 1, path: (1...9).map { UInt32($0) }), [limit], "PEER_HELLO",
                texts: ["path_count 9 exceeds 8 (maxPath)"]),
            m(
                "PEER_HELLO path_count 2, one tag", E.peerHello(tok, b, 1, 0, 1, 0, 0, 0, 0, role: 1, path: [0xD0_E0F1], pathCount: 2), [badLength],
                "PEER_HELLO", texts: ["PEER_HELLO with 2 path tags must be 76 bytes, got 72"]),
            m("PEER_ANNOUNCE 20 bytes", Array(announceSample.prefix(20)), [truncated], "PEER_ANNOUNCE"),
            m("PEER_ANNOUNCE page 1 of 1", E.peerAnnounce(tok, a, 3, 1, 1, [(v1, 1, 12000, 2, n)]), [badValue], "PEER_ANNOUNCE", texts: ["page 1 of 1 pages"]),
            m("PEER_ANNOUNCE 0 pages", E.peerAnnounce(tok, a, 3, 0, 0, [(v1, 1, 12000, 2, n)]), [badValue], "PEER_ANNOUNCE"),
            m(
                "PEER_ANNOUNCE count 2, one entry", E.peerAnnounce(tok, a, 3, 0, 1, [(v1, 1, 12000, 2, n)], count: 2), [badLength], "PEER_ANNOUNCE",
                texts: ["PEER_ANNOUNCE with 2 entries must be 84 bytes, got 60"]),
            m(
                "PEER_ANNOUNCE 57 entries", E.peerAnnounce(tok, a, 3, 0, 1, Array(repeating: (v1, 1, 12000, 2, n), count: 57)), [limit, tooLong],
                "PEER_ANNOUNCE"),
            m("PEER_ANNOUNCE kind 4", E.peerAnnounce(tok, a, 3, 0, 1, [(v1, 4, 12000, 2, n)]), [badValue], "PEER_ANNOUNCE"),
            m("PEER_INTEREST 342 entries", E.peerInterest(tok, b, 2, 0, 1, Array(repeating: v1, count: 342)), [limit, tooLong], "PEER_INTEREST"),
            m("PEER_INTEREST stream index 0", E.peerInterest(tok, b, 2, 0, 1, [E.selector]), [badValue], "PEER_INTEREST"),
            m("PEER_BLOCKS state 2", E.peerBlocks(tok, a, 1, 0, 1, [(pid, 2, 1)]), [badValue], "PEER_BLOCKS", texts: ["state 2 is not allowed"]),
            m("PEER_BLOCKS producer 0", E.peerBlocks(tok, a, 1, 0, 1, [(0, 1, 1)]), [badValue], "PEER_BLOCKS"),
            m("PEER_BLOCKS producer over 24 bits", E.peerBlocks(tok, a, 1, 0, 1, [(0x0100_0001, 1, 1)]), [badValue], "PEER_BLOCKS"),
            m("PEER_BLOCKS 86 entries", E.peerBlocks(tok, a, 1, 0, 1, Array(repeating: (pid, 1, 1), count: 86)), [limit, tooLong], "PEER_BLOCKS"),
            m(
                "PEER_BLOCKS count 2, one entry", E.peerBlocks(tok, a, 1, 0, 1, [(pid, 1, 1)], count: 2), [badLength], "PEER_BLOCKS",
                texts: ["PEER_BLOCKS with 2 entries must be 68 bytes, got 52"]),
            m("PEER_INTEREST without its tag", Array(E.peerInterest(tok, b, 2, 0, 1, [v1]).dropLast(8)), [badLength], "PEER_INTEREST"),
        ]
    }
}
