import SimulationSupport
import Wire
import XCTest

@testable import BrokerCore

/// The broker keeps what each subscriber's heartbeats report, and flags a subscriber that stopped reading.
final class ReceiverFiguresTests: XCTestCase {
    let producer = address(4001)
    let reader = address(4002)
    let stalled = address(4003)

    func testReportsAreSummedAndASubscriberThatStoppedReadingIsFlagged() {
        var h = BrokerHarness()
        h.connectProducer(producer)
        let producerToken = h.broker.cookie(for: producer)
        let readerToken = h.connect(reader, role: .client)
        let stalledToken = h.connect(stalled, role: .client)
        _ = h.subscribe(reader, token: readerToken, videoStream)
        _ = h.subscribe(stalled, token: stalledToken, videoStream)
        var sequence: UInt32 = 0
        var readerGot: UInt32 = 1_000  // counts from before this session: only differences matter
        // Six seconds at 10 fps in 100 ms steps; both report every 500 ms; the stalled one stops reading at 2 s.
        for step in 1...60 {
            h.now += 100_000
            let frame = frameDatagrams(UInt32(step), firstSequence: sequence, size: 2000, key: testMediaKey())
            for d in frame { _ = h.receive(d, from: producer) }
            sequence += UInt32(frame.count)
            readerGot += UInt32(frame.count)
            _ = h.advance(by: 0)
            guard step % 5 == 0 else { continue }
            _ = h.receive(.heartbeat(token: producerToken, sendTime: 0, rttMicros: 0), from: producer)
            let stalledGot = UInt32(min(step, 20) * 2)
            _ = h.receive(
                .heartbeat(token: readerToken, sendTime: 0, rttMicros: 0, report: ReceiverReport(received: readerGot, lost: UInt32(step / 10))),
                from: reader)
            _ = h.receive(
                .heartbeat(token: stalledToken, sendTime: 0, rttMicros: 0, report: ReceiverReport(received: stalledGot, lost: 0)), from: stalled)
            if step == 35 || step == 40 {
                // Unread once its reports have shown nothing for four heartbeat intervals (2 s): at 4 s, not at 3.5 s.
                XCTAssertEqual(h.broker.sessions[stalled]!.receiver.unread, step == 40)
            }
        }
        let r = h.broker.sessions[reader]!.receiver
        XCTAssertEqual(r.reports, 12)
        XCTAssertEqual(r.received, 110, "11 intervals of 5 frames of 2 chunks")
        XCTAssertEqual(r.lost, 6 - 0)
        XCTAssertEqual(r.lastReceived, 10)
        XCTAssertFalse(r.unread)
        let s = h.broker.sessions[stalled]!.receiver
        XCTAssertEqual(s.received, 30)
        XCTAssertTrue(s.unread)
        // It reads again: no longer flagged.
        _ = h.receive(.heartbeat(token: stalledToken, sendTime: 0, rttMicros: 0, report: ReceiverReport(received: 100, lost: 0)), from: stalled)
        XCTAssertFalse(h.broker.sessions[stalled]!.receiver.unread)
        XCTAssertEqual(h.broker.sessions[stalled]!.receiver.received, 90)
    }

    func testNoStreamFlowingIsNotUnreadAndOldHeartbeatsCarryNoReport() {
        var h = BrokerHarness()
        h.connectProducer(producer)
        let token = h.connect(reader, role: .client)
        _ = h.subscribe(reader, token: token, videoStream)
        for _ in 0..<12 {
            _ = h.advance(by: 500_000)
            _ = h.receive(.heartbeat(token: h.broker.cookie(for: producer), sendTime: 0, rttMicros: 0), from: producer)
            _ = h.receive(.heartbeat(token: token, sendTime: 0, rttMicros: 0, report: ReceiverReport(received: 0, lost: 0)), from: reader)
        }
        XCTAssertFalse(h.broker.sessions[reader]!.receiver.unread, "the stream sends nothing: nothing to read")
        let other = address(4009)
        let t2 = h.connect(other, role: .client)
        _ = h.receive(.heartbeat(token: t2, sendTime: 0, rttMicros: 0), from: other)
        XCTAssertEqual(h.broker.sessions[other]!.receiver.reports, 0)
    }
}
