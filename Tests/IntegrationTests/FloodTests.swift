import Foundation
import Wire
import XCTest

/// A flood from validated sockets (they complete the cookie handshake from their own addresses, then send bursts
/// of SUBSCRIBE, UNSUBSCRIBE and LIST) is held to its network's rate and does not starve a legitimate subscriber.
final class FloodTests: IntegrationTestCase {
    /// 300 sockets on 127.0.1.0/24 complete the handshake and send 40 requests each while a client on 127.0.0.1
    /// receives 300 frames at 30 fps: it saves all 300, and the broker counts the requests it dropped.
    func testAFloodOfValidatedSocketsLeavesALegitimateSubscriberAtEveryFrame() throws {
        let broker = try startBroker(metrics: true, extra: ["--source-requests", "1000"])
        let producer = try startProducer(
            "1AAA99", brokerPort: broker.port, rate: 30, audio: false, extra: ["--stop-after", "300", "--delay", "3"], expectAlive: false)
        try waitForProducerOnline("1AAA99", at: broker)
        let out = folder("out")
        let client = try startClient(brokerPort: broker.port, subscribe: ["1AAA9901"], output: out)
        try waitForLine(client, startingWith: "subscribed to 1AAA9901", timeout: 3)
        try waitUntil("the client saves 20 frames") { savedCount(out, stream: "1AAA9901") >= 20 }

        let peers = try (0..<300).map { try BoundUDPPeer(ipv4: 0x7f00_0100 | UInt32(1 + $0 % 250)) }
        let connected = handshake(peers, brokerPort: broker.port)
        XCTAssertGreaterThanOrEqual(connected.count, 290, "flood sockets that completed the handshake")
        var sent = 0
        let video = StreamID(selector: "1AAA9901")!
        let unknown = StreamID(selector: "ABCDEF")!
        for round in 0..<10 {
            for (p, token) in connected {
                let rid = UInt32(round * 4)
                let burst = [
                    Message.subscribe(SubscriptionRequest(token: token, requestID: rid, selector: video)),
                    Message.unsubscribe(SubscriptionRequest(token: token, requestID: rid + 1, selector: video)),
                    Message.subscribe(SubscriptionRequest(token: token, requestID: rid + 2, selector: unknown)),
                    Message.listRequest(token: token, requestID: rid + 3),
                ]
                for m in burst where p.send(m.encode(), to: broker.port) { sent += 1 }
            }
        }
        XCTAssertTrue(broker.process.isRunning, "the broker died during the flood")

        XCTAssertEqual(try waitForExit(producer, timeout: 40), 0)
        try waitForQuiet(out, streams: ["1AAA9901"], quiet: 1, timeout: 15)
        let numbers = Set(savedFiles(out, stream: "1AAA9901").compactMap { savedName($0)?.frameNumber })
        let missing = (UInt32(1)...300).filter { !numbers.contains($0) }
        let metrics = try httpGet(port: broker.metricsPort!, path: "/metrics").body
        let dropped = metricValue(metrics, "broker_drops_total{reason=\"source_limited_request\"}") ?? -1
        print(
            "flood: \(connected.count) validated sockets sent \(sent) requests, \(Int(dropped)) dropped by the per-source limit; legitimate subscriber saved \(numbers.count) of 300 frames"
        )
        XCTAssertEqual(missing, [], "frames the legitimate subscriber missed during the flood")
        XCTAssertGreaterThan(dropped, 0, "the per-source limit dropped nothing")
        XCTAssertLessThan(dropped, Double(sent))
    }

    /// Runs the cookie handshake for every socket at once; returns those that got a WELCOME, with their tokens.
    func handshake(_ peers: [BoundUDPPeer], brokerPort: UInt16) -> [(BoundUDPPeer, UInt64)] {
        for (i, p) in peers.enumerated() {
            p.send(Message.hello(Hello(token: 0, nonce: UInt64(i + 1), role: .client)).encode(), to: brokerPort)
        }
        var tokens: [(BoundUDPPeer, UInt64)] = []
        for (i, p) in peers.enumerated() {
            guard case .cookie(let nonce, let token, let challenge?)? = p.receive(), nonce == UInt64(i + 1) else { continue }
            p.send(Message.hello(Hello(token: token, nonce: UInt64(i + 1), role: .client, challenge: challenge)).encode(), to: brokerPort)
            tokens.append((p, token))
        }
        return tokens.filter { p, _ in
            if case .welcome? = p.receive() { true } else { false }
        }
    }

    func metricValue(_ body: String, _ series: String) -> Double? {
        for line in body.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1))
        }
        return nil
    }
}

/// A UDP socket bound to a given loopback address (any port), that sends to 127.0.0.1 and receives with a timeout.
final class BoundUDPPeer {
    let fd: Int32

    init(ipv4: UInt32) throws {
        fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw HarnessFailure("socket(): errno \(errno)") }
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET)
        a.sin_addr.s_addr = ipv4.bigEndian
        let ok = withUnsafePointer(to: &a) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard ok == 0 else {
            close(fd)
            throw HarnessFailure("bind to a 127/8 address: errno \(errno)")
        }
        var tv = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    /// The port the kernel bound.
    var localPort: UInt16 {
        var a = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        return UInt16(bigEndian: a.sin_port)
    }

    @discardableResult
    func send(_ bytes: [UInt8], to port: UInt16) -> Bool { sendDatagram(bytes, from: fd, to: port) }

    /// The next datagram decoded (waiting up to 2 s), skipping media; nil on timeout.
    func receive() -> Message? {
        var buf = [UInt8](repeating: 0, count: 2048)
        while true {
            let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { return nil }
            // A broker's control message ends in its 12-byte seal (not checked by this raw peer).
            var bytes = Array(buf[0..<n])
            if let t = try? Message.peekType(bytes[...]), ControlSeal.isSealed(t), bytes.count >= 4 + ControlSeal.trailerSize {
                bytes.removeLast(ControlSeal.trailerSize)
            }
            if let m = try? Message.decode(bytes[...]), m.type != .data { return m }
        }
    }
}
