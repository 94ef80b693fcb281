import Wire

/// The cluster (origin tags in DATA and LIST_REPLY, the broker-to-broker messages), GSO batches and the heuristic port.
extension SampleSet {
    static let peerHelloSample = E.peerHello(E.peerToken, E.brokerB, 7_000_000, 5_000_000, 3, 1, 2, 1, 250)
    /// On a tree link: edge D0E0F1 under core 4C2A1B (its path: itself, then the core), and the core answering it.
    static let edgeHelloSample = E.peerHello(
        E.peerToken, E.brokerB, 7_000_000, 5_000_000, 3, 1, 2, 1, 250, role: 1, path: [0xD0_E0F1, 0x4C_2A1B])
    static let upstreamHelloSample = E.peerHello(E.peerToken, E.brokerA, 5_100_000, 7_000_000, 4, 3, 0, 2, 90, role: 2, path: [0x4C_2A1B])
    /// On a tree link an upstream announces streams of other brokers too: each entry names its own origin.
    static let treeAnnounceSample = E.peerAnnounce(
        E.peerToken, E.brokerA, 6, 0, 1, [(0x3CCC_5501, 1, 25000, 4, E.nonce + 4), (0x3CCC_5502, 2, 1000, 4, E.nonce + 4)],
        origins: [0x77_AB12, 0x4C_2A1B])
    static let announceSample = E.peerAnnounce(E.peerToken, E.brokerA, 3, 0, 1, [(E.v1, 1, 12000, 2, E.nonce + 2), (E.a1, 2, 1000, 2, E.nonce + 2)])
    /// One frame of 11 chunks: 10 x 1400 + 744 = 14744 bytes.
    static let batch = E.gsoFrame(E.v1, 100, 5, UInt32(10 * E.chunk + 700))

    static let fullBlocks: [(UInt32, UInt8, UInt64)] = (0..<85).map { (i: Int) in (UInt32(i + 1), UInt8(i % 2), UInt64(i) << 24) }

    static func cluster() -> [Sample] {
        let relayed = E.data(E.v1, 124, 4, 10000, 3, origin: 0x4C2A1B)
        let ptok = E.hex64(E.peerToken)
        let many: [(UInt32, UInt8, UInt32, UInt32, UInt64)] = (0..<56).map { (i: Int) in
            (UInt32(0x100000 + i) << 8 | 1, 1, 12000, 1, E.nonce + 2 * UInt64(i))
        }
        let blocks = E.peerBlocks(E.peerToken, E.brokerA, 1, 0, 1, [(E.pid, 1, 5 << 24 | 0x4C2A1B), (0xFF_FFFF, 0, 0xFFFF_FFFF_FFFF_FFFF)])
        return [
            Sample(
                "DATA relayed, origin 4C2A1B", relayed, "DATA 1AAA9901 seq=124 frame=4 chunk 4/8 origin=4C2A1B",
                ["vbwire.origin": "0x4c2a1b", "vbwire.mac": macHex(relayed)], shownames: [("vbwire.origin", "Origin broker: 4C2A1B")], type: "DATA"),
            Sample(
                "LIST_REPLY with origins", E.listReply(13, 2, 0, [(E.v1, 1, 12000, 3, 0x4C2A1B), (0x3CCC_5501, 2, 12000, 0, 0)]),
                "LIST_REPLY req=13 total=2 first=0 entries=2", ["vbwire.origin": ["0x4c2a1b", "0x000000"]],
                shownames: [
                    ("vbwire.entry", "Entry 0: 1AAA9901 online 12.000 frames/s, 3 subscribers, on broker 4C2A1B"),
                    ("vbwire.entry", "Entry 1: 3CCC5501 offline 12.000 frames/s, 0 subscribers"),
                ], type: "LIST_REPLY"),
            Sample(
                "PEER_HELLO first, no cookie", E.peerHello(0, E.brokerA, 5_000_000, 0, 1, 0, 0, 0, 0),
                "PEER_HELLO origin=4C2A1B announce=1 ack=0 interest=0 ack=0 token=0 (no cookie yet)",
                [
                    "vbwire.peer.token": "0x0000000000000000", "vbwire.peer.broker_id": "0x5eed0000004c2a1b", "vbwire.peer.origin": "0x4c2a1b",
                    "vbwire.peer.send_time": "5000000", "vbwire.peer.echo_time": "0",
                ], type: "PEER_HELLO"),
            Sample(
                "PEER_HELLO", peerHelloSample, "PEER_HELLO origin=D0E0F1 announce=3 ack=1 interest=2 ack=1 token=" + ptok,
                [
                    "vbwire.peer.announce_version": "3", "vbwire.peer.announce_ack": "1", "vbwire.peer.interest_version": "2",
                    "vbwire.peer.interest_ack": "1", "vbwire.peer.echo_delay": "250", "vbwire.peer.echo_time": "5000000",
                    "vbwire.peer.tag": "0x" + E.hex(peerHelloSample[56...]),
                ], type: "PEER_HELLO"),
            Sample(
                "PEER_HELLO from an edge", edgeHelloSample,
                "PEER_HELLO origin=D0E0F1 role=edge path=[D0E0F1, 4C2A1B] announce=3 ack=1 interest=2 ack=1 token=" + ptok,
                [
                    "vbwire.peer.role": "1", "vbwire.peer.path_count": "2", "vbwire.peer.path": ["0x00d0e0f1", "0x004c2a1b"],
                    "vbwire.peer.echo_delay": "250", "vbwire.peer.tag": "0x" + E.hex(edgeHelloSample.suffix(8)),
                ],
                shownames: [
                    ("vbwire.peer.role", "Role: edge (1)"), ("vbwire.peer.path", "Path 0: D0E0F1 (the sender)"),
                    ("vbwire.peer.path", "Path 1: 4C2A1B"),
                ],
                type: "PEER_HELLO"),
            Sample(
                "PEER_HELLO from an upstream", upstreamHelloSample,
                "PEER_HELLO origin=4C2A1B role=upstream path=[4C2A1B] announce=4 ack=3 interest=0 ack=2 token=" + ptok,
                [
                    "vbwire.peer.role": "2", "vbwire.peer.path_count": "1", "vbwire.peer.path": "0x004c2a1b",
                    "vbwire.peer.tag": "0x" + E.hex(upstreamHelloSample.suffix(8)),
                ],
                shownames: [("vbwire.peer.role", "Role: upstream (2)")], type: "PEER_HELLO"),
            Sample(
                "PEER_ANNOUNCE on a tree link, two origins", treeAnnounceSample,
                "PEER_ANNOUNCE origin=4C2A1B v6 page 1/1 entries=2 [3CCC5501 video, 3CCC5502 audio]",
                ["vbwire.stream": ["3CCC5501", "3CCC5502"], "vbwire.origin": ["0x77ab12", "0x4c2a1b"], "vbwire.peer.claim": ["4", "4"]],
                shownames: [
                    ("vbwire.peer.entry", "Entry 0: 3CCC5501 video, 25.000 frames/s, claim 4, on broker 77AB12"),
                    ("vbwire.peer.entry", "Entry 1: 3CCC5502 audio, 1.000 frames/s, claim 4, on broker 4C2A1B"),
                    ("vbwire.origin", "Origin broker: 77AB12"),
                ], type: "PEER_ANNOUNCE"),
            Sample(
                "PEER_ANNOUNCE", announceSample, "PEER_ANNOUNCE origin=4C2A1B v3 page 1/1 entries=2 [1AAA9901 video, 1AAA9902 audio]",
                [
                    "vbwire.peer.version": "3", "vbwire.peer.page": "0", "vbwire.peer.pages": "1", "vbwire.peer.count": "2",
                    "vbwire.stream": ["1AAA9901", "1AAA9902"], "vbwire.kind": ["1", "2"], "vbwire.rate": ["12000", "1000"],
                    "vbwire.peer.claim": ["2", "2"], "vbwire.origin": ["0x4c2a1b", "0x4c2a1b"],
                    "vbwire.peer.nonce": ["0x112233445566778b", "0x112233445566778b"],
                    "vbwire.peer.tag": "0x" + E.hex(announceSample.suffix(8)),
                ],
                shownames: [("vbwire.peer.entry", "Entry 0: 1AAA9901 video, 12.000 frames/s, claim 2, on broker 4C2A1B")], type: "PEER_ANNOUNCE"),
            Sample(
                "PEER_ANNOUNCE empty", E.peerAnnounce(E.peerToken, E.brokerA, 4, 0, 1, []), "PEER_ANNOUNCE origin=4C2A1B v4 page 1/1 entries=0",
                ["vbwire.peer.count": "0"], type: "PEER_ANNOUNCE"),
            Sample(
                "PEER_ANNOUNCE full page 1 of 2", E.peerAnnounce(E.peerToken, E.brokerA, 5, 0, 2, many),
                "PEER_ANNOUNCE origin=4C2A1B v5 page 1/2 entries=56 [10000001 video, 10000101 video, 10000201 video, 10000301 video, ...]",
                ["vbwire.peer.count": "56", "vbwire.peer.pages": "2"], type: "PEER_ANNOUNCE"),
            Sample(
                "PEER_INTEREST", E.peerInterest(E.peerToken, E.brokerB, 2, 0, 1, [E.v1]), "PEER_INTEREST origin=D0E0F1 v2 page 1/1 entries=1 [1AAA9901]",
                ["vbwire.peer.version": "2", "vbwire.peer.count": "1", "vbwire.stream": "1AAA9901"], type: "PEER_INTEREST"),
            Sample(
                "PEER_INTEREST full page, 1400 bytes",
                E.peerInterest(E.peerToken, E.brokerB, 7, 1, 2, (0..<341).map { (i: UInt32) in (0x200000 + i) << 8 | 2 }),
                "PEER_INTEREST origin=D0E0F1 v7 page 2/2 entries=341 [20000002, 20000102, 20000202, 20000302, ...]",
                ["vbwire.peer.count": "341", "vbwire.peer.page": "1"], type: "PEER_INTEREST"),
            Sample(
                "PEER_BLOCKS", blocks, "PEER_BLOCKS origin=4C2A1B v1 page 1/1 entries=2 [blocked 1AAA99, unblocked FFFFFF]",
                [
                    "vbwire.peer.version": "1", "vbwire.peer.count": "2", "vbwire.producer": ["1AAA99", "FFFFFF"],
                    "vbwire.peer.block_state": ["1", "0"], "vbwire.peer.stamp": ["0x00000000054c2a1b", "0xffffffffffffffff"],
                    "vbwire.peer.tag": "0x" + E.hex(blocks.suffix(8)),
                ],
                shownames: [("vbwire.peer.entry", "Entry 0: blocked 1AAA99, stamp 00000000054c2a1b")], type: "PEER_BLOCKS"),
            Sample(
                "PEER_BLOCKS full page", E.peerBlocks(E.peerToken, E.brokerB, 9, 1, 3, fullBlocks),
                "PEER_BLOCKS origin=D0E0F1 v9 page 2/3 entries=85 [unblocked 000001, blocked 000002, unblocked 000003, blocked 000004, ...]",
                ["vbwire.peer.count": "85", "vbwire.peer.page": "1"], type: "PEER_BLOCKS"),
        ]
    }

    /// UDP GSO batches as captured before segmentation: one UDP payload, several DATA datagrams back to back, cut
    /// every <first datagram's length> bytes (the last may be shorter), as BatchSender sends them.
    static func batches() -> [Sample] {
        // The forwarder batches any run of equal-size datagrams in a subscriber's queue: frames and streams mix,
        // and a batch of short datagrams stays under 1400 bytes (508 + 508 + 344 = 1360 bytes).
        let small = [
            E.data(E.v1, 41, 6, UInt32(E.chunk + 464), 1, flags: 2), E.data(E.a1, 9, 3, 464, 0, flags: 2), E.data(E.v1, 42, 7, 300, 0, flags: 2),
        ]
        return [
            Sample(
                "GSO batch 10 x 1400 + 736", batch.flatMap { $0 }, "GSO batch of 11 DATA 1AAA9901 seq=100-110 frame=5",
                [
                    "vbwire.gso_segments": "11", "vbwire.gso_segment_size": "1400", "vbwire.gso_segment": (1...11).map { "\($0)" },
                    "vbwire.type": Array(repeating: "10", count: 11), "vbwire.stream": Array(repeating: "1AAA9901", count: 11),
                    "vbwire.seq": (0..<11).map { "\(100 + $0)" }, "vbwire.frame": Array(repeating: "5", count: 11),
                    "vbwire.chunk_index": (0..<11).map { "\($0)" }, "vbwire.chunk_count": Array(repeating: "11", count: 11),
                    "vbwire.chunk_offset": (0..<11).map { "\($0 * E.chunk)" },
                    "vbwire.payload_length": Array(repeating: "1356", count: 10) + ["700"],
                ],
                shownames: [
                    ("vbwire.gso_segment", "DATA 1AAA9901 seq=100 frame=5 chunk 1/11 (GSO segment 1 of 11)"),
                    ("vbwire.gso_segment", "DATA 1AAA9901 seq=110 frame=5 chunk 11/11 (GSO segment 11 of 11)"),
                ], notes: ["vbwire.gso_batch"],
                texts: ["UDP GSO batch as captured before segmentation: 14744 bytes = 11 DATA datagrams of 1400 bytes (the last 744)"]),
            Sample(
                "GSO batch of 3 under 1400 bytes, two streams", small.flatMap { $0 },
                "GSO batch of 3 DATA 1AAA9901 seq=41-42 frame=6-7; 1AAA9902 seq=9 frame=3 [cached]",
                [
                    "vbwire.gso_segments": "3", "vbwire.gso_segment_size": "508", "vbwire.stream": ["1AAA9901", "1AAA9902", "1AAA9901"],
                    "vbwire.payload_length": ["464", "464", "300"], "vbwire.flags.cached": ["1", "1", "1"],
                ],
                shownames: [("vbwire.gso_segment", "DATA 1AAA9902 seq=9 frame=3 chunk 1/1 [cached] (GSO segment 2 of 3)")], notes: ["vbwire.gso_batch"]),
        ]
    }

    /// Only magic and version decide on the heuristic port.
    static func heuristic() -> [Sample] {
        [
            Sample("heur HEARTBEAT", E.heartbeat(E.token, 42, 0), "HEARTBEAT rtt=0us", ["vbwire.send_time": "42"], port: .heur, type: "HEARTBEAT"),
            Sample(
                "heur DATA", E.data(E.a1, 1000, 2, 3000, 1), "DATA 1AAA9902 seq=1000 frame=2 chunk 2/3", ["vbwire.payload_length": "1356"],
                port: .heur, type: "DATA"),
            Sample(
                "heur unknown type", E.header(20) + zeros(12), "VBWIRE unknown type 20 [Malformed]", experts: ["vbwire.malformed.unknown_type"],
                port: .heur),
            Sample("heur bad magic (not ours)", [0x12, 0x34, 0x01, 0x04] + zeros(20), port: .heur, ours: false),
            Sample("heur bad version (not ours)", E.header(4, version: 2) + zeros(20), port: .heur, ours: false),
        ]
    }

    static func zeros(_ n: Int) -> [UInt8] { [UInt8](repeating: 0, count: n) }
}
