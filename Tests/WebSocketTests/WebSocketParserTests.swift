import TestRandom
import WebSocket
import XCTest

final class WebSocketParserTests: XCTestCase {
    /// A client frame: masked with `mask`, the shortest length form unless `length` forces one.
    private func frame(
        _ opcode: UInt8, _ payload: [UInt8], fin: Bool = true, mask: [UInt8] = [0x37, 0xFA, 0x21, 0x3D], masked: Bool = true, rsv: UInt8 = 0
    ) -> [UInt8] {
        var out: [UInt8] = [(fin ? 0x80 : 0) | rsv | opcode]
        let m: UInt8 = masked ? 0x80 : 0
        if payload.count < 126 {
            out.append(m | UInt8(payload.count))
        } else if payload.count <= 0xFFFF {
            out += [m | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        } else {
            out.append(m | 127)
            for s in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: payload.count >> s)) }
        }
        if masked { out += mask }
        out += payload.enumerated().map { masked ? $0.element ^ mask[$0.offset & 3] : $0.element }
        return out
    }

    private func messages(_ bytes: [UInt8], byteByByte: Bool = false, limits: WebSocketLimits = WebSocketLimits()) -> (
        [WebSocketMessage], WebSocketError?
    ) {
        var p = WebSocketParser(limits: limits)
        var out: [WebSocketMessage] = []
        let pieces = byteByByte ? bytes.map { [$0] } : [bytes]
        do {
            for piece in pieces {
                p.receive(piece)
                while let m = try p.next() { out.append(m) }
            }
        } catch { return (out, error) }
        return (out, nil)
    }

    /// RFC 6455 §5.7's examples: a masked "Hello", and "Hel" + "lo" fragmented.
    func testRFCExamples() {
        let hello: [UInt8] = [0x81, 0x85, 0x37, 0xFA, 0x21, 0x3D, 0x7F, 0x9F, 0x4D, 0x51, 0x58]
        XCTAssertEqual(messages(hello).0, [.text("Hello")])
        XCTAssertEqual(frame(0x1, Array("Hello".utf8)), hello)
        let fragmented = frame(0x1, Array("Hel".utf8), fin: false) + frame(0x0, Array("lo".utf8))
        XCTAssertEqual(messages(fragmented, byteByByte: true).0, [.text("Hello")])
        XCTAssertEqual(WebSocketFrame.encode(.text, Array("Hello".utf8)), [0x81, 0x05, 0x48, 0x65, 0x6C, 0x6C, 0x6F])
    }

    func testByteByByteEqualsWholeForEveryLengthForm() {
        let big = (0..<70_000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        let stream =
            frame(0x2, Array(big[0..<125])) + frame(0x9, [1, 2]) + frame(0x2, Array(big[0..<126])) + frame(0x1, Array("é✓".utf8), fin: false)
            + frame(0xA, []) + frame(0x0, Array("!".utf8)) + frame(0x2, big) + frame(0x8, [0x03, 0xE8] + Array("bye".utf8))
        let expected: [WebSocketMessage] = [
            .binary(Array(big[0..<125])), .ping([1, 2]), .binary(Array(big[0..<126])), .pong([]), .text("é✓!"), .binary(big),
            .close(code: 1000, reason: "bye"),
        ]
        let limits = WebSocketLimits(maxMessageBytes: 100_000)
        XCTAssertEqual(messages(stream, limits: limits).0, expected)
        XCTAssertEqual(messages(stream, byteByByte: true, limits: limits).0, expected)
    }

    func testServerFramesUseTheShortestLength() {
        XCTAssertEqual(WebSocketFrame.encode(.binary, [UInt8](repeating: 0, count: 125)).count, 127)
        XCTAssertEqual(Array(WebSocketFrame.encode(.binary, [UInt8](repeating: 0, count: 126)).prefix(4)), [0x82, 126, 0, 126])
        XCTAssertEqual(Array(WebSocketFrame.encode(.binary, [UInt8](repeating: 0, count: 65_536)).prefix(10)), [0x82, 127, 0, 0, 0, 0, 0, 1, 0, 0])
        XCTAssertEqual(WebSocketFrame.close(code: 1001, reason: "going"), [0x88, 7, 0x03, 0xE9] + Array("going".utf8))
    }

    func testHostileInputFailsWithTheRightCode() {
        let cases: [([UInt8], WebSocketError)] = [
            (frame(0x1, Array("x".utf8), masked: false), .unmasked),
            (frame(0x1, [], rsv: 0x40), .reservedBits),
            (frame(0x3, []), .unknownOpcode(3)),
            (frame(0x9, [UInt8](repeating: 0, count: 126)), .badControlFrame),
            (frame(0x9, [], fin: false), .badControlFrame),
            (frame(0x0, [1]), .badFragmentation),
            (frame(0x1, [0x41], fin: false) + frame(0x2, [1]), .badFragmentation),
            (frame(0x1, [0xC3, 0x28]), .invalidUTF8),
            (frame(0x8, [0x03]), .badClose),
            (frame(0x8, [0x03, 0xED]), .badClose),  // 1005 must not be sent
            (frame(0x8, [0x03, 0xE8, 0xFF]), .invalidUTF8),
            ([0x82, 0x80 | 126, 0x00, 0x05, 0, 0, 0, 0], .badLength),
            ([0x82, 0x80 | 127, 0, 0, 0, 0, 0, 0, 0, 5], .badLength),
            ([0x82, 0x80 | 127, 0x80, 0, 0, 0, 0, 0, 0, 0], .badLength),
            ([0x82, 0x80 | 127, 0, 0, 0, 0, 0x7F, 0xFF, 0xFF, 0xFF], .tooLarge(65_536)),
            (frame(0x2, [UInt8](repeating: 0, count: 65_537)), .tooLarge(65_536)),
            (frame(0x2, [UInt8](repeating: 0, count: 40_000), fin: false) + frame(0x0, [UInt8](repeating: 0, count: 40_000)), .tooLarge(65_536)),
        ]
        for (bytes, error) in cases {
            XCTAssertEqual(messages(bytes).1, error, "\(bytes.prefix(12))")
            XCTAssertEqual(messages(bytes, byteByByte: true).1, error, "\(bytes.prefix(12))")
        }
        XCTAssertEqual(WebSocketError.tooLarge(1).closeCode, 1009)
        XCTAssertEqual(WebSocketError.invalidUTF8.closeCode, 1007)
        XCTAssertEqual(WebSocketError.unmasked.closeCode, 1002)
    }

    /// A 2^63-1 length is refused from its header alone: nothing is awaited or allocated.
    func testHugeLengthFailsBeforeThePayload() {
        var p = WebSocketParser()
        p.receive([0x82, 0xFF, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
        XCTAssertThrowsError(try p.next()) { XCTAssertEqual($0 as? WebSocketError, .tooLarge(65_536)) }
        p.receive([0x81, 0x80, 0, 0, 0, 0])
        XCTAssertThrowsError(try p.next(), "the error is terminal")
        XCTAssertEqual(p.bufferedByteCount, 0)
    }

    func testTooManyFragments() {
        var bytes = frame(0x1, [0x41], fin: false)
        for _ in 0..<70 { bytes += frame(0x0, [0x41], fin: false) }
        XCTAssertEqual(messages(bytes, limits: WebSocketLimits(maxMessageBytes: 1000, maxFragments: 64)).1, .tooLarge(1000))
    }

    /// Seeded random bytes never trap; the buffer stays bounded.
    func testRandomBytesNeverTrap() {
        var rng = XorShift64(seed: 11)
        for _ in 0..<2000 {
            var p = WebSocketParser(limits: WebSocketLimits(maxMessageBytes: 256))
            for _ in 0..<8 {
                p.receive((0..<rng.below(40)).map { _ in UInt8(truncatingIfNeeded: rng.next()) })
                do { while try p.next() != nil {} } catch { break }
                XCTAssertLessThanOrEqual(p.bufferedByteCount, 2 * 256 + 14 + 40)
            }
        }
    }

    func testOutboxDropsWholeFramesWhenBehind() {
        var box = WebSocketOutbox(dropAbove: 100, maxBytes: 300)
        XCTAssertTrue(box.push([UInt8](repeating: 1, count: 80), droppable: true))
        XCTAssertFalse(box.push([UInt8](repeating: 2, count: 80), droppable: true), "over dropAbove: dropped whole")
        XCTAssertEqual(box.dropped, 1)
        XCTAssertTrue(box.push([UInt8](repeating: 3, count: 150), droppable: false), "control still goes")
        XCTAssertFalse(box.push([UInt8](repeating: 4, count: 100), droppable: false), "over maxBytes")
        var sent: [UInt8] = []
        box.drain { s in
            let n = min(s.count, 50)
            sent += s.prefix(n)
            return n
        }
        XCTAssertEqual(sent.count, 230)
        XCTAssertEqual(sent.filter { $0 == 1 }.count, 80)
        XCTAssertTrue(box.isEmpty)
        XCTAssertEqual(box.queuedBytes, 0)
        var partial = WebSocketOutbox(dropAbove: 100, maxBytes: 300)
        _ = partial.push([UInt8](repeating: 1, count: 80), droppable: true)
        var budget = 30
        partial.drain { s in
            let n = min(s.count, budget)
            budget -= n
            return n
        }
        XCTAssertEqual(partial.queuedBytes, 50)
        XCTAssertFalse(partial.isEmpty)
    }
}
