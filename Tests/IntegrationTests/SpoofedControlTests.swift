import Foundation
import Wire
import XCTest

/// Issue 21, point 6 with the real executables: a spoofer on a raw socket sends a client and a producer datagrams with
/// the broker's own source address and port (BYE, HEARTBEAT_ACK of another epoch, STREAM_STATUS offline), as they
/// were sent before the control trailer and with a trailer under a guessed key. Nobody reconnects, nothing goes
/// offline. Needs a raw socket (root or CAP_NET_RAW); skipped with a message without one, unless CI is set.
final class SpoofedControlTests: IntegrationTestCase {
    func testForgedControlWithTheBrokersAddressChangesNothing() throws {
        guard let raw = SpoofingUDPSender() else {
            if ProcessInfo.processInfo.environment["CI"] == "true" { throw HarnessFailure("CI needs a raw socket (run as root)") }
            throw XCTSkip("no raw socket (needs root or CAP_NET_RAW)")
        }
        let broker = try startBroker()
        // The spoofer's datagrams do arrive: one to a socket of our own.
        let probe = try BoundUDPPeer(ipv4: 0x7f00_0001)
        XCTAssertTrue(raw.send(Message.cookie(nonce: 1, token: 3).encode(), fromPort: broker.port, toPort: probe.localPort))
        XCTAssertEqual(probe.receive(), .cookie(nonce: 1, token: 3), "a raw datagram reaches a UDP socket on loopback")
        let producerPort = try Ports.freeUDP()
        let clientPort = try Ports.freeUDP()
        let producer = try launch(
            "producer",
            ["--broker", broker.address, "--bind", "127.0.0.1:\(producerPort)", "--id", "1AAA99", "--frames", Paths.frames("1AAA99").path,
             "--rate", "30"], name: "producer-1AAA99")
        try waitForProducerOnline("1AAA99", at: broker)
        let client = try launch(
            "client", ["--broker", broker.address, "--bind", "127.0.0.1:\(clientPort)", "--status-interval", "0", "--subscribe", "1AAA9901"],
            name: "client", stdin: true)
        try waitForLine(client, startingWith: "subscribed to 1AAA9901")
        let linesBefore = client.stdoutLines.count

        let guess = ControlSeal(key: DataMAC(k0: 0x1234, k1: 0x5678))
        let forged: [[UInt8]] = [
            Message.bye(token: 0, reason: .shutdown).encode(),
            Message.heartbeatAck(echoTime: 0, epoch: 0xBAD).encode(),
            Message.streamStatus(StreamStatus(stream: StreamID(selector: "1AAA9901")!, state: .offline, rateMilli: 0)).encode(),
        ]
        let datagrams = forged + forged.map { guess.seal($0, counter: 1) }
        for _ in 0..<50 {
            for d in datagrams {
                XCTAssertTrue(raw.send(d, fromPort: broker.port, toPort: clientPort))
                XCTAssertTrue(raw.send(d, fromPort: broker.port, toPort: producerPort))
            }
            usleep(10_000)  // pacing the spoofer, not waiting for anything
        }
        // What the spoofs would have caused shows within a heartbeat; a round trip of the real session proves the
        // client still talks to the broker afterwards.
        let mentions = client.stdoutLines.filter { $0.contains("1AAA99") }.count
        try client.type("list")
        try waitForLine(client, containing: "1AAA99", count: mentions + 1)
        let after = client.stdoutLines.dropFirst(linesBefore)
        XCTAssertFalse(after.contains { $0.contains("offline") || $0.contains("shutting down") || $0.contains("reconnecting") }, "\(after)")
        XCTAssertEqual(producer.stderr.components(separatedBy: "connected to broker").count - 1, 1, "the producer never reconnected")
        XCTAssertFalse(producer.stderr.contains("shutting down"))
        XCTAssertEqual(broker.process.stderr.components(separatedBy: "producer 1AAA99 online").count - 1, 1)
    }
}

/// Sends UDP datagrams with any source port on 127.0.0.1 through a raw IPv4 socket (the kernel fills in the IP
/// checksum and length; the UDP checksum is 0, "none", as IPv4 allows).
final class SpoofingUDPSender {
    let fd: Int32

    init?() {
        fd = socket(AF_INET, Int32(SOCK_RAW.rawValue), Int32(IPPROTO_RAW))
        guard fd >= 0 else { return nil }
    }

    deinit { close(fd) }

    func send(_ payload: [UInt8], fromPort: UInt16, toPort: UInt16) -> Bool {
        var w = ByteWriter(capacity: 28 + payload.count)
        w.write(UInt8(0x45))
        w.write(UInt8(0))
        w.write(UInt16(28 + payload.count))
        w.write(UInt16(0))  // id: filled in
        w.write(UInt16(0x4000))  // don't fragment
        w.write(UInt8(64))
        w.write(UInt8(IPPROTO_UDP))
        w.write(UInt16(0))  // checksum: filled in
        w.write(UInt32(0x7f00_0001))
        w.write(UInt32(0x7f00_0001))
        w.write(fromPort)
        w.write(toPort)
        w.write(UInt16(8 + payload.count))
        w.write(UInt16(0))
        w.write(bytes: payload)
        var to = Ports.loopback(port: toPort)
        let packet = w.bytes
        let n = packet.withUnsafeBytes { buf in
            withUnsafePointer(to: &to) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(fd, buf.baseAddress, buf.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        }
        return n == packet.count
    }
}
