import Wire
import XCTest

@testable import Platform

/// The order `EventLoop` keeps for every executable, on real loopback sockets and a recording core: what is
/// queued is read before a due timer runs, a turn reads at most its batches, refused sources never reach the core,
/// and what the core queues is sent.
final class EventLoopTests: XCTestCase {
    private let loopback = PeerAddress(ipv4: 0x7f00_0001, port: 0)

    /// Records its inputs in order; echoes each datagram back to its sender.
    struct RecordingCore: ProtocolCore {
        var log: [String] = []
        var deadline: Int64 = .max
        var queued: [(PeerAddress, [UInt8])] = []

        mutating func handle(_ datagram: [UInt8], from: PeerAddress, now: Int64) {
            log.append("datagram \(datagram.first ?? 0)")
            queued.append((from, datagram))
        }
        mutating func handleTimeout(now: Int64) {
            log.append("timeout")
            deadline = .max
        }
        mutating func pollTransmit() -> (PeerAddress, [UInt8])? { queued.isEmpty ? nil : queued.removeFirst() }
        func pollTimeout() -> Int64 { deadline }
        mutating func pollEvent() -> Never? { nil }
    }

    final class Host: EventLoopHost {
        var core = RecordingCore()
        let socket: UDPSocket
        var maxBatchesPerTurn = Int.max
        var refused: PeerAddress?
        var batches = 0
        var turns = 0

        init(socket: UDPSocket) { self.socket = socket }

        func admit(_ bytes: [UInt8], from: PeerAddress) -> Bool { from != refused }
        func afterBatch() { batches += 1 }
        func transmit() {
            while let (to, bytes) = core.pollTransmit() { socket.send(bytes, to: to) }
        }
        func turnEnds(_ ready: Set<Int32>, now: Int64) -> Int32? {
            turns += 1
            return core.log.isEmpty ? nil : 7
        }
    }

    private func sockets(batch: Int) throws -> (host: Host, sender: UDPSocket, to: PeerAddress) {
        let socket = try UDPSocket(bind: loopback, storage: ReceiveStorage(batch: batch, gro: false))
        let sender = try UDPSocket(bind: loopback)
        return (Host(socket: socket), sender, try XCTUnwrap(socket.localAddress))
    }

    /// Sends one-byte datagrams `tags` and waits (on the socket, at most 5 s) until they are queued.
    private func send(_ tags: [UInt8], from sender: UDPSocket, to: PeerAddress, queuedOn host: Host) {
        for t in tags { sender.send([t], to: to) }
        XCTAssertTrue(Poller.wait(readable: [host.socket.fd], timeoutMicros: 5_000_000).contains(host.socket.fd))
    }

    func testWhatIsQueuedIsHeardBeforeADueTimerRuns() throws {
        let (host, sender, to) = try sockets(batch: 8)
        send([1, 2, 3], from: sender, to: to, queuedOn: host)
        host.core.deadline = 0
        // Not reported readable: the due timer alone makes the loop read the socket first.
        EventLoop.serve(host, readable: false, now: Clock.now())
        XCTAssertEqual(host.core.log, ["datagram 1", "datagram 2", "datagram 3", "timeout"])
    }

    func testNothingIsReadWhenNotReadableAndNoTimerIsDue() throws {
        let (host, sender, to) = try sockets(batch: 8)
        send([1], from: sender, to: to, queuedOn: host)
        EventLoop.serve(host, readable: false, now: Clock.now())
        XCTAssertEqual(host.core.log, [])
    }

    func testATurnReadsAtMostItsBatchesAndStopsAtAShortOne() throws {
        let (host, sender, to) = try sockets(batch: 2)
        send([1, 2, 3, 4, 5], from: sender, to: to, queuedOn: host)
        host.maxBatchesPerTurn = 2
        EventLoop.serve(host, readable: true, now: Clock.now())
        XCTAssertEqual(host.core.log, ["datagram 1", "datagram 2", "datagram 3", "datagram 4"])
        XCTAssertEqual(host.batches, 2)
        // The next turn finds one datagram, a short batch: no third call that finds nothing is counted.
        host.maxBatchesPerTurn = .max
        EventLoop.serve(host, readable: true, now: Clock.now())
        XCTAssertEqual(host.core.log.last, "datagram 5")
        XCTAssertEqual(host.batches, 3)
    }

    func testARefusedSourceNeverReachesTheCore() throws {
        let (host, sender, to) = try sockets(batch: 8)
        host.refused = sender.localAddress
        send([9], from: sender, to: to, queuedOn: host)
        EventLoop.serve(host, readable: true, now: Clock.now())
        XCTAssertEqual(host.core.log, [])
    }

    func testRunFeedsTheCoreSendsWhatItQueuedAndReturnsTheHooksStatus() throws {
        let (host, sender, to) = try sockets(batch: 8)
        send([4], from: sender, to: to, queuedOn: host)
        XCTAssertEqual(EventLoop.run(host), 7)
        XCTAssertEqual(host.turns, 1)
        XCTAssertTrue(Poller.wait(readable: [sender.fd], timeoutMicros: 5_000_000).contains(sender.fd))
        var echoed: [[UInt8]] = []
        sender.receiveBatch { bytes, _ in echoed.append(bytes) }
        XCTAssertEqual(echoed, [[4]])
    }
}
