import SimulationSupport
import Wire
import XCTest

@testable import Platform

/// The socket edge on real loopback sockets: batched GSO sends arrive as the datagrams they were, whether the
/// receiver takes them with UDP GRO (one message, split again by `receiveBatch`) or one by one.
final class SocketTests: XCTestCase {
    private let loopback = PeerAddress(ipv4: 0x7f00_0001, port: 0)

    /// Receives until `count` datagrams came or 5 s passed, waiting on the socket (no sleeps).
    private func receive(_ socket: UDPSocket, count: Int) -> [[UInt8]] {
        receiveCounting(socket, count: count).datagrams
    }

    /// Also returns how many messages the kernel handed over (fewer than datagrams when GRO joined them).
    private func receiveCounting(_ socket: UDPSocket, count: Int) -> (datagrams: [[UInt8]], messages: Int) {
        var got: [[UInt8]] = []
        var messages = 0
        let end = Clock.now() + 5_000_000
        while got.count < count, Clock.now() < end {
            _ = Poller.wait(readable: [socket.fd], timeoutMicros: end - Clock.now())
            messages += socket.receiveBatch { bytes, _ in got.append(bytes) }
        }
        return (got, messages)
    }

    private func datagrams(_ sizes: [Int], tag: UInt8) -> [[UInt8]] {
        sizes.enumerated().map { i, n in (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ i) ^ tag } }
    }

    private func sendAndReceive(gro: Bool, sizes: [Int]) throws -> (
        sent: [[UInt8]], got: [[UInt8]], messages: Int, sentMessages: Int, receiver: UDPSocket, sender: UDPSocket
    ) {
        let receiver = try UDPSocket(bind: loopback, storage: ReceiveStorage(batch: 8, gro: gro))
        let sender = try UDPSocket(bind: loopback)
        let to = try XCTUnwrap(receiver.localAddress)
        let batch = BatchSender(socket: sender)
        let sent = datagrams(sizes, tag: gro ? 0x5A : 0xA5)
        var start = 0
        while start < sent.count {
            let n = batch.messageLength(start: start, count: sent.count) { sent[$0].count }
            XCTAssertTrue(batch.add(sent[start..<start + n], to: to))
            start += n
        }
        XCTAssertEqual(batch.flush(), batch.stats.messages)
        let r = receiveCounting(receiver, count: sent.count)
        return (sent, r.datagrams, r.messages, batch.stats.messages, receiver, sender)
    }

    func testGSOBatchArrivesAsItsDatagramsWithGRO() throws {
        // Ten full chunks and a short tail: one GSO message when the kernel takes UDP_SEGMENT.
        let sizes = Array(repeating: 1400, count: 10) + [333]
        let r = try sendAndReceive(gro: true, sizes: sizes)
        XCTAssertEqual(r.got.count, sizes.count)
        XCTAssertEqual(r.got, r.sent)
        // Linux has had UDP_GRO since 5.0 and on loopback a GSO send reaches a GRO socket unsplit: the split is
        // ours. One message unless UDP_GSO=off made the sender send them one by one.
        XCTAssertTrue(r.receiver.groEnabled)
        XCTAssertEqual(r.messages, r.sentMessages)
        if r.sender.gsoEnabled { XCTAssertEqual(r.sentMessages, 1) }
    }

    func testGSOBatchArrivesAsItsDatagramsWithoutGRO() throws {
        let sizes = Array(repeating: 1400, count: 7) + [1]
        let r = try sendAndReceive(gro: false, sizes: sizes)
        XCTAssertFalse(r.receiver.groEnabled)
        XCTAssertEqual(r.got, r.sent)
        XCTAssertEqual(r.messages, sizes.count)
    }

    func testOneBufferFannedOutWithoutCopiesArrivesIntactEverywhere() throws {
        // The sender keeps pointers into the callers' arrays until the flush: one array to many destinations,
        // and a GSO message made of separate arrays. Changing or dropping the caller's arrays before the flush
        // must not change what goes out (the sender holds them; a write makes the caller a copy).
        let receivers = try (0..<3).map { _ in try UDPSocket(bind: loopback, storage: ReceiveStorage(batch: 8, gro: true)) }
        let sender = try UDPSocket(bind: loopback)
        let batch = BatchSender(socket: sender)
        var shared: [UInt8] = Array(0..<200)
        let original = shared
        for r in receivers { XCTAssertTrue(batch.add(one: shared, to: try XCTUnwrap(r.localAddress))) }
        var parts: [[UInt8]]? = datagrams([1400, 1400, 90], tag: 0x3C)
        let expected = parts!
        var start = 0
        while start < expected.count {
            let n = batch.messageLength(start: start, count: expected.count) { expected[$0].count }
            let from = start
            XCTAssertTrue(batch.add(segments: n, to: try XCTUnwrap(receivers[0].localAddress)) { parts![from + $0] })
            start += n
        }
        shared[0] = 99
        parts = nil
        XCTAssertEqual(batch.flush(), sender.gsoEnabled ? 4 : 6)
        XCTAssertEqual(receive(receivers[0], count: 1 + expected.count), [original] + expected)
        for r in receivers.dropFirst() { XCTAssertEqual(receive(r, count: 1), [original]) }
        XCTAssertEqual(batch.stats.datagrams, 3 + expected.count)
    }

    func testMixedSizesKeepTheirOrderAndBoundaries() throws {
        // Runs of equal sizes go as separate GSO messages; each datagram must come out whole and in order.
        let sizes = [1400, 1400, 900, 64, 64, 64, 1400, 20]
        let r = try sendAndReceive(gro: true, sizes: sizes)
        XCTAssertEqual(r.got.map(\.count), sizes)
        XCTAssertEqual(r.got, r.sent)
    }

    func testOversizedDatagramIsPassedAtSlotSizeWithoutGRO() throws {
        // A datagram bigger than a non-GRO slot (2 KB) is handed on truncated to the slot, so the decoder
        // rejects it by its length instead of seeing a plausible prefix.
        let receiver = try UDPSocket(bind: loopback, storage: ReceiveStorage(batch: 4, gro: false))
        let sender = try UDPSocket(bind: loopback)
        let to = try XCTUnwrap(receiver.localAddress)
        let big = [UInt8](repeating: 0x42, count: 5000)
        guard case .sent = sender.send(big, to: to) else { return XCTFail("send failed") }
        let got = receive(receiver, count: 1)
        XCTAssertEqual(got.map(\.count), [2048])
    }

    func testSharedStorageServesSeveralSockets() throws {
        // The multi-session client and the relay read many sockets through one storage, one after the other.
        let storage = ReceiveStorage(batch: 4)
        let a = try UDPSocket(bind: loopback, storage: storage)
        let b = try UDPSocket(bind: loopback, storage: storage)
        let sender = try UDPSocket(bind: loopback)
        sender.send([1, 2, 3], to: try XCTUnwrap(a.localAddress))
        sender.send([4, 5], to: try XCTUnwrap(b.localAddress))
        XCTAssertEqual(receive(a, count: 1), [[1, 2, 3]])
        XCTAssertEqual(receive(b, count: 1), [[4, 5]])
    }

    func testKernelTimestampsStampEachMessage() throws {
        let receiver = try UDPSocket(bind: loopback, batch: 4, timestamps: true)
        let plain = try UDPSocket(bind: loopback, batch: 4)
        let sender = try UDPSocket(bind: loopback)
        let before = Clock.wallNanos()
        sender.send([9], to: try XCTUnwrap(receiver.localAddress))
        sender.send([8], to: try XCTUnwrap(plain.localAddress))
        XCTAssertTrue(receiver.timestampsEnabled)
        var stamp: Int64 = 0
        let end = Clock.now() + 5_000_000
        while stamp == 0, Clock.now() < end {
            _ = Poller.wait(readable: [receiver.fd], timeoutMicros: end - Clock.now())
            receiver.receiveBatch { _, _ in stamp = receiver.arrivalWallNanos }
        }
        let after = Clock.wallNanos()
        XCTAssertGreaterThanOrEqual(stamp, before)
        XCTAssertLessThanOrEqual(stamp, after)
        // Without timestamps asked for, there is none.
        XCTAssertEqual(receive(plain, count: 1), [[8]])
        XCTAssertEqual(plain.arrivalWallNanos, 0)
    }

    func testReadinessPollerReportsOnlyReadableSockets() throws {
        let a = try UDPSocket(bind: loopback)
        let b = try UDPSocket(bind: loopback)
        let poller = Poller()
        try poller.add(a.fd)
        try poller.add(b.fd)
        XCTAssertEqual(Array(poller.wait(timeoutMicros: 0)), [])
        let sender = try UDPSocket(bind: loopback)
        sender.send([7], to: try XCTUnwrap(b.localAddress))
        XCTAssertEqual(Array(poller.wait(timeoutMicros: 5_000_000)), [b.fd])
        // Level-triggered: still readable until read.
        XCTAssertEqual(Array(poller.wait(timeoutMicros: 0)), [b.fd])
        XCTAssertEqual(receive(b, count: 1), [[7]])
        XCTAssertEqual(Array(poller.wait(timeoutMicros: 0)), [])
        XCTAssertThrowsError(try poller.add(-1))
    }
}
