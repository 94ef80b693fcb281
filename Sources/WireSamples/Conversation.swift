import Wire

/// A short session as a capture at the broker shows it, with the Info column tshark must show with the default
/// preferences (roles shown). Broker on `port`, producer `port`+3, client `port`+4, and a second broker on `port`+5
/// that links to the first, subscribes to the producer's video and gets it relayed.
struct Conversation {
    struct Line {
        var from: UInt16
        var to: UInt16
        var bytes: [UInt8]
        var info: String
    }

    let lines: [Line]

    init(port: UInt16) {
        typealias E = SampleEncoder
        let b = port, p = port + 3, c = port + 4, b2 = port + 5
        let ptok: UInt64 = 0x0102_0304_0506_0709, ctok: UInt64 = 0x1112_1314_1516_1719, btok: UInt64 = 0x2122_2324_2526_2729
        let pk = ControlSeal.derive(streamKey: E.streamKey, token: ptok, nonce: E.nonce, challenge: E.challenge)
        let ck = ControlSeal.derive(streamKey: [], token: ctok, nonce: E.nonce, challenge: E.challenge)
        let chunk = E.data(E.v1, 10, 1, 2000, 0)
        let t = E.hex64
        lines = [
            Line(
                from: p, to: b, bytes: E.hello(token: ptok, nonce: E.nonce, role: 1, pid: E.pid, streams: [(1, 1, 12000)], challenge: E.challenge),
                info: "producer → broker HELLO producer 1AAA99 streams=1 [1AAA9901 video] token=\(t(ptok))"),
            Line(
                from: b, to: p, bytes: E.sealed(pk, E.welcome(E.nonce, E.epoch, 500, 6), 1),
                info: "broker → producer WELCOME epoch=0x0123456789abcdef heartbeat=500ms lease=6 misses [sealed #1]"),
            Line(
                from: c, to: b, bytes: E.hello(token: ctok, nonce: E.nonce, role: 2, challenge: E.challenge),
                info: "client → broker HELLO client token=\(t(ctok))"),
            Line(from: c, to: b, bytes: E.subscribe(ctok, 1, E.selector), info: "client → broker SUBSCRIBE req=1 1AAA99"),
            Line(from: b, to: c, bytes: E.sealed(ck, E.ack(1, E.selector, 0), 2), info: "broker → client ACK req=1 1AAA99 online [sealed #2]"),
            Line(from: p, to: b, bytes: chunk, info: "producer → broker DATA 1AAA9901 seq=10 frame=1 chunk 1/2"),
            Line(from: b, to: c, bytes: chunk, info: "broker → client DATA 1AAA9901 seq=10 frame=1 chunk 1/2"),
            Line(from: c, to: b, bytes: E.heartbeat(ctok, 1000, 300), info: "client → broker HEARTBEAT rtt=300us"),
            Line(
                from: b, to: c, bytes: E.sealed(ck, E.heartbeatAck(1000, E.epoch), 3),
                info: "broker → client HEARTBEAT_ACK epoch=0x0123456789abcdef [sealed #3]"),
            Line(from: p, to: b, bytes: E.heartbeat(ptok, 2000, 0), info: "producer → broker HEARTBEAT rtt=0us"),
            Line(from: c, to: b, bytes: E.nack(ctok, E.v1, 300, [(11, 1)]), info: "client → broker NACK 1AAA9901 rtt=300us ranges=1 missing=1 [11]"),
            Line(from: b, to: p, bytes: E.nack(0, E.v1, 0, [(11, 1)]), info: "broker → producer NACK 1AAA9901 rtt=0us ranges=1 missing=1 [11]"),
            Line(from: c, to: b, bytes: E.unsubscribe(ctok, 2, E.selector), info: "client → broker UNSUBSCRIBE req=2 1AAA99"),
            Line(
                from: b, to: c, bytes: E.sealed(ck, E.ack(2, E.selector, 0), 4), info: "broker → client ACK req=2 1AAA99 unsubscribed [sealed #4]"),
            Line(from: c, to: b, bytes: E.bye(ctok, 2), info: "client → broker BYE quit"),
        ] + Self.peers(b: b, b2: b2, btok: btok)
    }

    private static func peers(b: UInt16, b2: UInt16, btok: UInt64) -> [Line] {
        typealias E = SampleEncoder
        let t = E.hex64(btok)
        return [
            Line(
                from: b2, to: b, bytes: E.peerHello(0, E.brokerB, 7_000_000, 0, 1, 0, 0, 0, 0),
                info: "broker → broker PEER_HELLO origin=D0E0F1 announce=1 ack=0 interest=0 ack=0 token=0 (no cookie yet)"),
            Line(from: b, to: b2, bytes: E.cookie(7_000_000, btok), info: "broker → broker COOKIE nonce=0x00000000006acfc0 token=\(t)"),
            Line(
                from: b2, to: b, bytes: E.peerHello(btok, E.brokerB, 7_001_000, 0, 1, 0, 0, 0, 0),
                info: "broker → broker PEER_HELLO origin=D0E0F1 announce=1 ack=0 interest=0 ack=0 token=\(t)"),
            Line(
                from: b, to: b2, bytes: E.peerAnnounce(btok, E.brokerA, 2, 0, 1, [(E.v1, 1, 12000, 1, E.nonce)]),
                info: "broker → broker PEER_ANNOUNCE origin=4C2A1B v2 page 1/1 entries=1 [1AAA9901 video]"),
            Line(
                from: b2, to: b, bytes: E.peerInterest(btok, E.brokerB, 1, 0, 1, [E.v1]),
                info: "broker → broker PEER_INTEREST origin=D0E0F1 v1 page 1/1 entries=1 [1AAA9901]"),
            Line(
                from: b, to: b2, bytes: E.peerBlocks(btok, E.brokerA, 1, 0, 1, [(E.pid, 1, 1 << 24 | 0x4C2A1B)]),
                info: "broker → broker PEER_BLOCKS origin=4C2A1B v1 page 1/1 entries=1 [blocked 1AAA99]"),
            Line(
                from: b, to: b2, bytes: E.data(E.v1, 11, 1, 2000, 1, origin: 0x4C2A1B),
                info: "broker → broker DATA 1AAA9901 seq=11 frame=1 chunk 2/2 origin=4C2A1B"),
            Line(from: b2, to: b, bytes: E.nack(btok, E.v1, 800, [(10, 1)]), info: "broker → broker NACK 1AAA9901 rtt=800us ranges=1 missing=1 [10]"),
            Line(from: b2, to: b, bytes: E.peerBye(btok, 1), info: "broker → broker BYE shutdown (broker to broker, tagged)"),
        ]
    }
}
