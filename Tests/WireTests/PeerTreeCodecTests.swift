import SimulationSupport
import XCTest

@testable import Wire

/// The tree link's PEER_HELLO (role, path) and PEER_ANNOUNCE entries' origin, byte for byte as docs/PROTOCOL.md §12
/// gives them; the refusals are the cases the dissector's samples flag (Sources/WireSamples, SampleSet+Malformed).
final class PeerTreeCodecTests: XCTestCase {
    private func hello(role: PeerLinkRole, path: [UInt32]) -> PeerHello {
        PeerHello(
            token: 1, brokerID: 0x0BAD_CAFE_00D0_E0F1, sendTime: 2, echoTime: 3, announceVersion: 4, announceAck: 5, interestVersion: 6,
            interestAck: 7, echoDelay: 8, role: role, path: path)
    }

    func testTreeHelloLayoutAndRoundTrip() throws {
        let edge = hello(role: .edge, path: [0xD0_E0F1, 0x4C_2A1B])
        let b = Message.peerHello(edge).encode()
        XCTAssertEqual(b.count, 76)
        XCTAssertEqual(Array(b[56..<68]), [1, 2, 0, 0, 0x00, 0xD0, 0xE0, 0xF1, 0x00, 0x4C, 0x2A, 0x1B])
        XCTAssertEqual(try Message.decode(b), .peerHello(edge))
        let upstream = hello(role: .upstream, path: [0x4C_2A1B])
        XCTAssertEqual(Message.peerHello(upstream).encode().count, PeerHello.size(path: 1))
        XCTAssertEqual(try Message.decode(Message.peerHello(upstream).encode()), .peerHello(upstream))
        let deepest = hello(role: .edge, path: (1...8).map { UInt32($0) })
        XCTAssertEqual(try Message.decode(Message.peerHello(deepest).encode()), .peerHello(deepest))
        XCTAssertEqual(Message.peerHello(hello(role: .mesh, path: [])).encode().count, PeerHello.size)
    }

    func testTreeHelloRefusalsInTheDecodersOrder() {
        let base = Message.peerHello(hello(role: .edge, path: [0xD0_E0F1])).encode()
        var b = base
        b[56] = 3
        XCTAssertEqual(decodeError(b), .badField(field: .role, value: 3))
        b[56] = 0
        XCTAssertEqual(decodeError(b), .badField(field: .role, value: 0))
        b = base
        b[57] = 2  // one tag present
        XCTAssertEqual(decodeError(b), .badLength(type: .peerHello, length: 72))
        b = Message.peerHello(hello(role: .edge, path: (1...8).map { UInt32($0) })).encode()
        b.insert(contentsOf: [0, 0, 0, 9], at: 92)
        b[57] = 9
        XCTAssertEqual(decodeError(b), .limitExceeded(limit: .maxPath, value: 9))
        let mesh = Message.peerHello(hello(role: .mesh, path: [])).encode()
        XCTAssertEqual(decodeError(mesh + [0, 0]), .badLength(type: .peerHello, length: 66))
        XCTAssertEqual(decodeError(Array(mesh.prefix(63))), .badLength(type: .peerHello, length: 63))
    }

    func testAnnounceEntryCarriesItsOrigin() throws {
        let entry = PeerAnnounceEntry(stream: StreamID(rawValue: 0x3CCC_5501), kind: .video, rateMilli: 25000, claim: 4, nonce: 9, origin: 0x77_AB12)
        let m = Message.peerAnnounce(PeerAnnounce(token: 1, brokerID: 2, version: 3, page: 0, pages: 1, entries: [entry]))
        let b = m.encode()
        XCTAssertEqual(Array(b[32..<36]), [1, 0x77, 0xAB, 0x12])
        XCTAssertEqual(try Message.decode(b), m)
    }
}
