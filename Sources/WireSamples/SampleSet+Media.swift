import Wire

/// DATA, NACK, STREAM_STATUS, the lists and BYE: valid and sealed.
extension SampleSet {
    static func media() -> [Sample] {
        // An opus stream (index 3, kind 3): its frame is an Opus chunk (section 13), here three packets of 20 ms.
        let packets: [[UInt8]] = [[0xFC, 0x01, 0x02], [0xFC, 0x03, 0x04, 0x05, 0x06], [0xF8, 0x07]]
        let opus: [UInt8] = [1, 1, 3, 0] + packets.flatMap { E.be(UInt64($0.count), 2) + $0 }
        let browserHello = E.hello(token: E.token, nonce: E.nonce + 6, role: 1, pid: E.pid, streams: [(1, 1, 12000), (3, 3, 10000)])
        return [
            Sample(
                "DATA", dataSample, "DATA 1AAA9901 seq=123 frame=4 chunk 3/8",
                [
                    "vbwire.stream": "1AAA9901", "vbwire.seq": "123", "vbwire.frame": "4", "vbwire.frame_length": "10000",
                    "vbwire.chunk_index": "2", "vbwire.chunk_count": "8", "vbwire.capture_time": "\(E.captureTime)", "vbwire.chunk_offset": "2712",
                    "vbwire.payload_length": "1356", "vbwire.flags.retransmit": "0", "vbwire.flags.cached": "0", "vbwire.mac": macHex(dataSample),
                ],
                shownames: [
                    ("vbwire.stream_id", "Stream ID: 1AAA9901 (producer 1AAA99, stream 01 video)"),
                    ("vbwire.capture_time_abs", "Nov 14, 2023 22:13:20.123456000 UTC"),
                ], type: "DATA"),
            Sample(
                "DATA opus chunk", E.data(E.pid << 8 | 3, 50, 2, UInt32(opus.count), 0, payload: opus),
                "DATA 1AAA9903 seq=50 frame=2 chunk 1/1 [opus 3 packets, 60 ms]",
                [
                    "vbwire.stream": "1AAA9903", "vbwire.opus.format": "1", "vbwire.opus.channels": "1", "vbwire.opus.packet_count": "3",
                    "vbwire.opus.packet_length": ["3", "5", "2"], "vbwire.opus.samples": "2880", "vbwire.payload_length": "\(opus.count)",
                ],
                shownames: [
                    ("vbwire.stream_id", "Stream ID: 1AAA9903 (producer 1AAA99, stream 03 opus)"),
                    ("vbwire.opus", "Opus chunk: format 1, 1 channel(s), 3 packets, 60.0 ms"),
                ], type: "DATA"),
            Sample(
                "HELLO producer with Opus sound", browserHello, "HELLO producer 1AAA99 streams=2 [1AAA9901 video, 1AAA9903 opus] token=" + tok,
                ["vbwire.kind": ["1", "3"], "vbwire.stream_index": ["1", "3"], "vbwire.rate": ["12000", "10000"]],
                shownames: [("vbwire.descriptor", "Stream 1AAA9903: opus, 10.000 frames/s")], type: "HELLO"),
            Sample(
                "DATA last chunk retransmit", E.data(E.v1, 129, 4, 10000, 7, flags: 1), "DATA 1AAA9901 seq=129 frame=4 chunk 8/8 [retransmit]",
                ["vbwire.payload_length": "508", "vbwire.flags.retransmit": "1", "vbwire.flags.cached": "0"], type: "DATA"),
            Sample(
                "DATA cached", E.data(0x2BBB_7702, 0xFFFF_FFFF, 77, 100, 0, flags: 2), "DATA 2BBB7702 seq=4294967295 frame=77 chunk 1/1 [cached]",
                ["vbwire.stream": "2BBB7702", "vbwire.flags.cached": "1", "vbwire.payload_length": "100"], type: "DATA"),
            Sample(
                "DATA largest frame, last chunk", E.data(E.v1, 5, 9, 1_048_576, 773), "DATA 1AAA9901 seq=5 frame=9 chunk 774/774",
                ["vbwire.payload_length": "388", "vbwire.chunk_offset": "1048188"], type: "DATA"),
            Sample(
                "NACK", E.nack(E.token, E.v1, 1500, [(100, 5), (200, 1)]), "NACK 1AAA9901 rtt=1500us ranges=2 missing=6 [100-104 200]",
                [
                    "vbwire.range_count": "2", "vbwire.range.start": ["100", "200"], "vbwire.range.count": ["5", "1"],
                    "vbwire.range.end": ["104", "200"],
                ],
                shownames: [("vbwire.range", "Range 1: 100-104 (5)"), ("vbwire.range", "Range 2: 200 (1)")], type: "NACK"),
            Sample(
                "NACK across wrap, from broker", E.nack(0, E.a1, 0, [(0xFFFF_FFFE, 4)]), "NACK 1AAA9902 rtt=0us ranges=1 missing=4 [4294967294-1]",
                ["vbwire.range.end": "1"], type: "NACK"),
            Sample(
                "STREAM_STATUS", E.streamStatus(E.a1, 2, 1000), "STREAM_STATUS 1AAA9902 offline rate=1.000",
                ["vbwire.state": "2", "vbwire.stream": "1AAA9902", "vbwire.rate": "1000"], type: "STREAM_STATUS"),
        ]
    }

    static func lists() -> [Sample] {
        [
            Sample("LIST_REQUEST", E.listRequest(E.token, 10), "LIST_REQUEST req=10", ["vbwire.request_id": "10"], type: "LIST_REQUEST"),
            Sample(
                "LIST_REPLY", E.listReply(10, 3, 0, [(E.v1, 1, 12000, 2, 0), (E.a1, 1, 1000, 1, 0), (0x3CCC_5501, 2, 12000, 0, 0)]),
                "LIST_REPLY req=10 total=3 first=0 entries=3",
                ["vbwire.entry_count": "3", "vbwire.stream": ["1AAA9901", "1AAA9902", "3CCC5501"], "vbwire.subscribers": ["2", "1", "0"]],
                shownames: [
                    ("vbwire.entry", "Entry 0: 1AAA9901 online 12.000 frames/s, 2 subscribers"),
                    ("vbwire.entry", "Entry 2: 3CCC5501 offline 12.000 frames/s, 0 subscribers"),
                ], type: "LIST_REPLY"),
            Sample("LIST_REPLY empty", E.listReply(11, 0, 0, []), "LIST_REPLY req=11 total=0 first=0 entries=0", type: "LIST_REPLY"),
            Sample(
                "LIST_REPLY page 2", E.listReply(12, 90, 86, (0..<4).map { (0x3CCC_5501 + $0, 1, 12000, 0, 0) }),
                "LIST_REPLY req=12 total=90 first=86 entries=4", type: "LIST_REPLY"),
            Sample("BYE shutdown", E.bye(0, 1), "BYE shutdown", ["vbwire.bye_reason": "1"], type: "BYE"),
            Sample("BYE quit", E.bye(E.token, 2), "BYE quit", ["vbwire.bye_reason": "2"], type: "BYE"),
            Sample("BYE disconnected", E.bye(E.token, 3), "BYE disconnected", ["vbwire.bye_reason": "3"], type: "BYE"),
        ]
    }

    /// What a broker sends a client (control key without a stream key) or a producer (under its stream key).
    static func sealed() -> [Sample] {
        let pb = E.peerBye(E.peerToken, 1)
        let ckey = E.clientSeal()
        let pkey = ControlSeal.derive(streamKey: E.streamKey, token: E.token, nonce: E.nonce + 2, challenge: E.challenge)
        let w1 = E.sealed(ckey, E.welcome(E.nonce, E.epoch, 500, 6), 1)
        let page = (0..<85).map { (0x3CCC_5501 + UInt32($0), UInt8(1), UInt32(12000), UInt32(0), UInt32(0)) }
        return [
            Sample(
                "BYE between brokers, tagged", pb, "BYE shutdown (broker to broker, tagged)",
                ["vbwire.bye_reason": "1", "vbwire.peer.tag": "0x" + E.hex(pb[16...])], type: "BYE"),
            Sample(
                "WELCOME sealed", w1, "WELCOME epoch=0x0123456789abcdef heartbeat=500ms lease=6 misses [sealed #1]",
                ["vbwire.control.counter": "1", "vbwire.control.tag": "0x" + E.hex(w1.suffix(8)), "vbwire.heartbeat_ms": "500"],
                shownames: [("vbwire.control", "Control trailer (sealed under the session's control key)")], type: "WELCOME"),
            Sample(
                "HEARTBEAT_ACK sealed", E.sealed(pkey, E.heartbeatAck(123_456_789, E.epoch), 7),
                "HEARTBEAT_ACK epoch=0x0123456789abcdef [sealed #7]", ["vbwire.control.counter": "7"], type: "HEARTBEAT_ACK"),
            Sample(
                "ACK sealed", E.sealed(ckey, E.ack(21, E.selector, 2), 2), "ACK req=21 1AAA99 waiting [sealed #2]", ["vbwire.control.counter": "2"],
                type: "ACK"),
            Sample(
                "STREAM_STATUS sealed", E.sealed(ckey, E.streamStatus(E.v1, 2, 12000), 3), "STREAM_STATUS 1AAA9901 offline rate=12.000 [sealed #3]",
                ["vbwire.control.counter": "3", "vbwire.state": "2"], type: "STREAM_STATUS"),
            Sample(
                "ERROR refusing a HELLO, sealed", E.sealed(E.clientSeal(nonce: E.nonce + 2), E.error(0, 6, refused), 0),
                "ERROR req=0 not authorized: \"\(refused)\" [sealed #0]", ["vbwire.control.counter": "0"], type: "ERROR"),
            Sample(
                "LIST_REPLY sealed", E.sealed(ckey, E.listReply(14, 1, 0, [(E.v1, 1, 12000, 1, 0)]), 4),
                "LIST_REPLY req=14 total=1 first=0 entries=1 [sealed #4]", ["vbwire.control.counter": "4", "vbwire.entry_count": "1"],
                type: "LIST_REPLY"),
            Sample(
                "LIST_REPLY full page sealed, 1388 bytes", E.sealed(ckey, E.listReply(15, 85, 0, page), 5),
                "LIST_REPLY req=15 total=85 first=0 entries=85 [sealed #5]", ["vbwire.entry_count": "85"], type: "LIST_REPLY"),
            Sample(
                "BYE from the broker, sealed", E.sealed(ckey, E.bye(0, 1), 9), "BYE shutdown [sealed #9]", ["vbwire.control.counter": "9"],
                type: "BYE"),
        ]
    }

    /// The MAC field as tshark shows it.
    static func macHex(_ datagram: [UInt8]) -> String { E.hex64(E.mediaKey.compute(datagram)) }
}
