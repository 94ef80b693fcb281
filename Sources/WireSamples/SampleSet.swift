import Wire

/// Every sample, in the order they are sent: each message type valid, sealed, between brokers, as GSO batches, on
/// the heuristic port, then malformed (each breaking exactly the rule its name says).
enum SampleSet {
    typealias E = SampleEncoder

    static func all() -> [Sample] { valid() + sealed() + cluster() + batches() + heuristic() + malformed() + malformedPeer() }

    static let tok = E.hex64(E.token)
    static let challengeHex = E.hex64(E.challenge)
    static let reason = "subscribed through 1AAA99: unsubscribe 1AAA99 instead"
    static let refused = "wrong stream key for producer 1AAA99"
    static let producerHello = E.hello(
        token: E.token, nonce: E.nonce + 2, role: 1, pid: E.pid, streams: [(1, 1, 12000), (2, 2, 1000)], challenge: E.challenge)
    static let dataSample = E.data(E.v1, 123, 4, 10000, 2)

    static func valid() -> [Sample] {
        var out = handshake()
        out += subscriptions()
        out += media()
        out += lists()
        return out
    }

    private static func handshake() -> [Sample] {
        let full = E.hello(token: E.token, nonce: E.nonce + 4, role: 1, pid: E.pid, streams: (1...16).map { (UInt8($0), 1, 1000) })
        return [
            Sample(
                "HELLO client, no cookie", E.hello(token: 0, nonce: E.nonce, role: 2), "HELLO client token=0 (no cookie yet)",
                ["vbwire.type": "1", "vbwire.nonce": "0x1122334455667789", "vbwire.role": "2", "vbwire.stream_count": "0"],
                shownames: [("vbwire.type", "HELLO")], type: "HELLO"),
            Sample(
                "COOKIE", E.cookie(E.nonce, E.token), "COOKIE nonce=0x1122334455667789 token=" + tok,
                ["vbwire.token": tok, "vbwire.nonce": "0x1122334455667789"], type: "COOKIE"),
            Sample(
                "COOKIE with a challenge", E.cookie(E.nonce, E.token, challenge: E.challenge),
                "COOKIE nonce=0x1122334455667789 token=\(tok) challenge=\(challengeHex)", ["vbwire.token": tok, "vbwire.challenge": challengeHex],
                type: "COOKIE"),
            Sample(
                "COOKIE answering a request without a session", E.cookie(0x55AA_55AA_55AA_55AB, E.token),
                "COOKIE nonce=0x55aa55aa55aa55ab token=" + tok, ["vbwire.nonce": "0x55aa55aa55aa55ab"], type: "COOKIE"),
            Sample(
                "HELLO client with cookie", E.hello(token: E.token, nonce: E.nonce, role: 2, challenge: E.challenge), "HELLO client token=" + tok,
                ["vbwire.token": tok, "vbwire.challenge": challengeHex, "vbwire.padding": E.colons([UInt8](repeating: 0, count: 30))],
                type: "HELLO"),
            Sample(
                "WELCOME", E.welcome(E.nonce, E.epoch, 500, 6), "WELCOME epoch=0x0123456789abcdef heartbeat=500ms lease=6 misses",
                ["vbwire.epoch": "0x0123456789abcdef", "vbwire.heartbeat_ms": "500", "vbwire.lease_misses": "6", "vbwire.lease_ms": "3000"],
                type: "WELCOME"),
            Sample(
                "HELLO producer", producerHello, "HELLO producer 1AAA99 streams=2 [1AAA9901 video, 1AAA9902 audio] token=" + tok,
                [
                    "vbwire.role": "1", "vbwire.producer": "1AAA99", "vbwire.stream_count": "2", "vbwire.kind": ["1", "2"],
                    "vbwire.rate": ["12000", "1000"], "vbwire.stream_index": ["1", "2"], "vbwire.proof": E.colons(producerHello[50..<66]),
                    "vbwire.challenge": challengeHex,
                ],
                shownames: [
                    ("vbwire.producer_id", "Producer ID: 1AAA99"), ("vbwire.descriptor", "Stream 1AAA9901: video, 12.000 frames/s"),
                    ("vbwire.descriptor", "Stream 1AAA9902: audio, 1.000 frames/s"),
                    ("vbwire.proof", "Proof of the stream key: " + E.hex(producerHello[50..<66])),
                ], type: "HELLO"),
            Sample(
                "HELLO producer 16 streams", full,
                "HELLO producer 1AAA99 streams=16 [1AAA9901 video, 1AAA9902 video, 1AAA9903 video, 1AAA9904 video, ...] token=" + tok,
                ["vbwire.stream_count": "16", "vbwire.proof": E.colons(full[162..<178])], type: "HELLO"),
            Sample(
                "HEARTBEAT", E.heartbeat(E.token, 123_456_789, 1500), "HEARTBEAT rtt=1500us",
                ["vbwire.send_time": "123456789", "vbwire.rtt": "1500", "vbwire.token": tok], type: "HEARTBEAT"),
            Sample(
                "HEARTBEAT with receiver report", E.heartbeat(E.token, 123_456_790, 1500, report: (70000, 12)),
                "HEARTBEAT rtt=1500us received=70000 lost=12",
                ["vbwire.report.received": "70000", "vbwire.report.lost": "12", "vbwire.rtt": "1500"], type: "HEARTBEAT"),
            Sample(
                "HEARTBEAT_ACK", E.heartbeatAck(123_456_789, E.epoch), "HEARTBEAT_ACK epoch=0x0123456789abcdef",
                ["vbwire.echo_time": "123456789"], type: "HEARTBEAT_ACK"),
        ]
    }

    private static func subscriptions() -> [Sample] {
        [
            Sample(
                "SUBSCRIBE stream", E.subscribe(E.token, 7, E.v1), "SUBSCRIBE req=7 1AAA9901", ["vbwire.request_id": "7", "vbwire.stream": "1AAA9901"],
                shownames: [("vbwire.selector", "Selector: 1AAA9901 (producer 1AAA99, stream 01 video)")], type: "SUBSCRIBE"),
            Sample(
                "SUBSCRIBE producer resume", E.subscribe(E.token, 8, E.selector, flags: 1), "SUBSCRIBE req=8 1AAA99 resume",
                ["vbwire.request_id": "8", "vbwire.stream": "1AAA99", "vbwire.flags.resume": "1"],
                shownames: [("vbwire.selector", "Selector: 1AAA99 (all streams of producer 1AAA99)")], type: "SUBSCRIBE"),
            Sample("ACK", E.ack(7, E.v1, 0), "ACK req=7 1AAA9901 online", ["vbwire.status": "0"], type: "ACK"),
            Sample("ACK offline", E.ack(8, E.selector, 1), "ACK req=8 1AAA99 offline", ["vbwire.status": "1"], type: "ACK"),
            Sample("ACK waiting", E.ack(10, 0x4DDD_4400, 2), "ACK req=10 4DDD44 waiting", ["vbwire.status": "2"], type: "ACK"),
            Sample("UNSUBSCRIBE", E.unsubscribe(E.token, 9, E.v1), "UNSUBSCRIBE req=9 1AAA9901", ["vbwire.request_id": "9"], type: "UNSUBSCRIBE"),
            Sample(
                "ACK of the UNSUBSCRIBE", E.ack(9, E.v1, 0), "ACK req=9 1AAA9901 unsubscribed",
                ["vbwire.status": "0", "vbwire.answers": "UNSUBSCRIBE in frame 17"], type: "ACK"),
            Sample(
                "ERROR", E.error(9, 4, reason), "ERROR req=9 not subscribed: \"\(reason)\"",
                ["vbwire.error_code": "4", "vbwire.reason": reason, "vbwire.reason_length": "\(reason.utf8.count)"], type: "ERROR"),
            Sample("ERROR empty reason", E.error(0, 2, ""), "ERROR req=0 limit reached", ["vbwire.reason_length": "0"], type: "ERROR"),
            Sample(
                "ERROR not authorized", E.error(0, 6, refused), "ERROR req=0 not authorized: \"\(refused)\"",
                ["vbwire.error_code": "6", "vbwire.reason": refused], shownames: [("vbwire.error_code", "Error code: not authorized (6)")],
                type: "ERROR"),
        ]
    }
}
