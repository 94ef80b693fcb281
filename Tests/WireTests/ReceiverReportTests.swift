import SimulationSupport
import XCTest

@testable import Wire

final class ReceiverReportTests: XCTestCase {
    func testAHeartbeatWithAReportIs32BytesBigEndianAtItsOffsets() throws {
        let m = Message.heartbeat(token: 1, sendTime: 2, rttMicros: 3, report: ReceiverReport(received: 0x0102_0304, lost: 0x0A0B_0C0D))
        let bytes = m.encode()
        XCTAssertEqual(bytes.count, 32)
        XCTAssertEqual(Array(bytes[24..<28]), [1, 2, 3, 4], "received at 24")
        XCTAssertEqual(Array(bytes[28..<32]), [0x0A, 0x0B, 0x0C, 0x0D], "lost at 28")
        XCTAssertEqual(try Message.decode(bytes[...]), m)
    }

    func testTheOld24ByteFormDecodesWithoutAReportAndOtherLengthsAreRefused() throws {
        let old = Message.heartbeat(token: 1, sendTime: 2, rttMicros: 3).encode()
        XCTAssertEqual(old.count, 24)
        XCTAssertEqual(try Message.decode(old[...]), .heartbeat(token: 1, sendTime: 2, rttMicros: 3, report: nil))
        let full = Message.heartbeat(token: 1, sendTime: 2, rttMicros: 3, report: ReceiverReport(received: 5, lost: 6)).encode()
        for n in [23, 25, 28, 31, 33] {
            let b = n <= 32 ? Array(full.prefix(n)) : full + [0]
            XCTAssertEqual(decodeError(b), .badLength(type: .heartbeat, length: n), "\(n) bytes")
        }
    }

}
