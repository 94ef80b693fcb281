import Crypto
import Foundation
import XCTest

@testable import Wire

/// The worked examples of docs/PROTOCOL.md §11 are what the codec encodes: every hex dump there is read from the
/// document and compared with the bytes built here from the values the text states, so the page cannot drift.
final class ProtocolExamplesTests: XCTestCase {
    static let brokerKey = SipHash24(k0: 0x0706_0504_0302_0100, k1: 0x0f0e_0d0c_0b0a_0908)
    static let peer = PeerAddress(ipv4: 0x7f00_0001, port: 40000)
    static let clientNonce: UInt64 = 0x1122_3344_5566_7789
    static let producerNonce: UInt64 = 0x1122_3344_5566_778b
    /// The publish secret the `.env` of docker compose ships (and says to change).
    static let secret = Array("demo-publish-secret-change-me".utf8)
    static let producer = ProducerID(rawValue: 0x1A_AA99)!
    static var token: UInt64 { brokerKey.hash(peer.cookieMaterial) | 1 }
    static var streamKey: [UInt8] { StreamKeys.streamKey(secret: secret, producer: producer) }
    static var mediaKey: DataMAC { StreamKeys.mediaKey(streamKey: streamKey, nonce: producerNonce) }
    /// The broker of the examples: its epoch, and the challenges it gives the client's and the producer's attempts
    /// at 3000 ms of its clock.
    static let epoch: UInt64 = 0x0123_4567_89AB_CDEF
    static func challenge(nonce: UInt64, issuedMillis: UInt32 = 3000) -> UInt64 {
        var w = ByteWriter()
        w.write(bytes: Array("challenge".utf8))
        w.write(bytes: peer.cookieMaterial)
        w.write(nonce)
        w.write(epoch)
        w.write(issuedMillis)
        return UInt64(issuedMillis) << 32 | (brokerKey.hash(w.bytes) & 0xFFFF_FFFF)
    }
    /// The cluster of §12's examples: its secret, the sender's id (origin tag 4C2A1B), the receiver's, and the link
    /// token the receiver gives the sender (its address material and both ids, under the cluster's cookie key).
    static let clusterKey = ClusterKey(secret: Array("demo-cluster-secret-change-me".utf8))
    static let brokerID: UInt64 = 0x5EED_0000_004C_2A1B
    static let receiverID: UInt64 = 0x0BAD_CAFE_00D0_E0F1
    static var peerToken: UInt64 {
        var w = ByteWriter()
        w.write(bytes: peer.cookieMaterial)
        w.write(receiverID)
        w.write(brokerID)
        return SipHash24(k0: clusterKey.cookieKey.0, k1: clusterKey.cookieKey.1).hash(w.bytes) | 1
    }

    /// The examples in the order the document shows them, each as the bytes a peer sends.
    static func examples() -> [(name: String, bytes: [UInt8])] {
        let video = StreamID(rawValue: 0x1AAA_9901)
        let producerHello = Hello(
            token: token, nonce: producerNonce, role: .producer, producer: producer,
            streams: [StreamDescriptor(index: 1, kind: .video, rateMilli: 12_000), StreamDescriptor(index: 2, kind: .audio, rateMilli: 1000)],
            challenge: challenge(nonce: producerNonce))
        var data = Chunker.chunk(
            frame: [UInt8](repeating: 0xab, count: 10_000), stream: video, frameNumber: 4, firstSequence: 121, captureTime: 1_700_000_000_123_456)[2]
        mediaKey.stamp(&data)
        return [
            ("client HELLO", Message.hello(Hello(token: 0, nonce: clientNonce, role: .client)).encode()),
            ("COOKIE", Message.cookie(nonce: clientNonce, token: token, challenge: challenge(nonce: clientNonce)).encode()),
            ("producer HELLO", Message.hello(producerHello.signed(streamKey: streamKey)).encode()),
            ("ERROR", refusalSeal.seal(Message.error(ErrorReply(requestID: 0, code: .notAuthorized, reason: "wrong stream key for producer 1AAA99")).encode(), counter: 0)),
            ("DATA", data),
            (
                "NACK",
                Message.nack(
                    Nack(token: token, stream: video, rttMicros: 1500, ranges: [NackRange(start: 100, count: 5), NackRange(start: 200, count: 1)])
                )
                .encode()
            ),
            ("PEER_HELLO", sealed(.peerHello(peerHello))),
            ("PEER_ANNOUNCE", sealed(.peerAnnounce(peerAnnounce))),
            ("BYE between brokers", sealed(.bye(token: peerToken, reason: .shutdown), tagged: true)),
            ("PEER_BLOCKS", sealed(.peerBlocks(peerBlocks))),
        ]
    }

    /// The control key of the producer HELLO's attempt without a stream key: what seals an ERROR refusing it.
    static var refusalSeal: ControlSeal {
        ControlSeal.derive(streamKey: [], token: token, nonce: producerNonce, challenge: challenge(nonce: producerNonce))
    }

    static let peerHello = PeerHello(
        token: peerToken, brokerID: brokerID, sendTime: 5_000_000, echoTime: 4_900_000, announceVersion: 3, announceAck: 2, interestVersion: 1,
        interestAck: 1, echoDelay: 250)
    static var peerAnnounce: PeerAnnounce {
        PeerAnnounce(
            token: peerToken, brokerID: brokerID, version: 3, page: 0, pages: 1,
            entries: [PeerAnnounceEntry(stream: StreamID(rawValue: 0x1AAA_9901), kind: .video, rateMilli: 12_000, claim: 1, nonce: producerNonce)])
    }

    /// The operator of the same broker blocked 1AAA99 at logical time 5.
    static var peerBlocks: PeerBlocks {
        PeerBlocks(
            token: peerToken, brokerID: brokerID, version: 1, page: 0, pages: 1,
            entries: [PeerBlockEntry(producer: producer, blocked: true, stamp: 5 << 24 | 0x4C_2A1B)])
    }

    /// `tagged`: the message has no room for the tag of its own (a BYE): it is appended.
    static func sealed(_ m: Message, tagged: Bool = false) -> [UInt8] {
        var bytes = m.encode() + (tagged ? [UInt8](repeating: 0, count: WireConstants.peerTagSize) : [])
        clusterKey.seal(&bytes)
        return bytes
    }

    /// The hex dumps of §11, in order: the bytes of every line `0000  56 42 …` up to the annotation.
    static func documentedDumps() throws -> [[UInt8]] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent("docs/PROTOCOL.md"), encoding: .utf8)
        guard let start = text.range(of: "## 11. Worked examples") else { return [] }
        // §13's payload example is not a datagram (OpusChunkTests checks it).
        let end = text.range(of: "## 13. Media payloads")?.lowerBound ?? text.endIndex
        var dumps: [[UInt8]] = []
        var current: [UInt8]?
        for line in text[start.upperBound..<end].split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```") {
                if let c = current { dumps.append(c) }
                current = current == nil ? [] : nil
                continue
            }
            guard current != nil, line.count > 6, line.prefix(4).allSatisfy(\.isHexDigit), line.dropFirst(4).hasPrefix("  ") else { continue }
            var rest = Substring(line.dropFirst(6))
            while rest.count >= 2, rest.prefix(2).allSatisfy(\.isHexDigit), rest.count == 2 || rest.dropFirst(2).first == " " {
                current!.append(UInt8(rest.prefix(2), radix: 16)!)
                rest = rest.dropFirst(3)
            }
        }
        return dumps.filter { !$0.isEmpty }
    }

    func testEveryWorkedExampleIsWhatTheCodecEncodes() throws {
        let examples = Self.examples()
        let dumps = try Self.documentedDumps()
        XCTAssertEqual(dumps.count, examples.count, "one hex dump per example in PROTOCOL.md §11")
        var same = dumps.count == examples.count
        for (e, dump) in zip(examples, dumps) {
            if e.name == "DATA" {
                // The dump shows the header and the first payload bytes.
                XCTAssertEqual(Array(e.bytes.prefix(dump.count)), dump, e.name)
                XCTAssertGreaterThan(dump.count, WireConstants.dataHeaderSize, "the DATA dump shows where the payload starts")
                same = same && Array(e.bytes.prefix(dump.count)) == dump
            } else {
                XCTAssertEqual(e.bytes, dump, e.name)
                same = same && e.bytes == dump
            }
        }
        if !same { printExamples() }
    }

    /// The keys, proof and MAC that §11 spells out in words are the ones the examples use.
    func testTheStatedKeysAreTheExamplesKeys() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent("docs/PROTOCOL.md"), encoding: .utf8)
        let examples = Self.examples()
        guard case .hello(let h) = try Message.decode(examples[2].bytes) else { return XCTFail("not a HELLO") }
        let mac = examples[4].bytes[36..<44].map { String(format: "%02X", $0) }.joined()
        for stated in [
            "= \(StreamKeys.hex(Self.streamKey))", String(format: "k0 = 0x%016llX, k1 = 0x%016llX", Self.mediaKey.k0, Self.mediaKey.k1),
            "`\(StreamKeys.hex(h.proof))`", "mac 0x\(mac)",
            String(format: "cookie key k0 = `0x%016llX`, k1 = `0x%016llX`", Self.clusterKey.cookieKey.0, Self.clusterKey.cookieKey.1),
            String(format: "token 0x%016llX", Self.peerToken),
            String(format: "challenge 0x%016llX", Self.challenge(nonce: Self.clientNonce)),
            String(format: "challenge 0x%016llX", Self.challenge(nonce: Self.producerNonce)),
            String(format: "k0 = 0x%016llX, k1 = 0x%016llX", Self.refusalSeal.key.k0, Self.refusalSeal.key.k1),
        ] {
            XCTAssertTrue(text.contains(stated), "PROTOCOL.md §11 should say '\(stated)'")
        }
    }

    func testTheExamplesVerify() throws {
        let examples = Self.examples()
        let hello = try Message.decode(examples[2].bytes)
        guard case .hello(let h) = hello else { return XCTFail("not a HELLO") }
        XCTAssertEqual(h.proof, StreamKeys.helloProof(streamKey: Self.streamKey, signed: h.signedBytes()))
        XCTAssertTrue(Self.mediaKey.verify(examples[4].bytes))
        XCTAssertEqual(examples[4].bytes.count, 1400)
        XCTAssertNoThrow(try DataHeader.parse(examples[4].bytes[...]))
        XCTAssertTrue(Self.clusterKey.verify(examples[6].bytes))
        XCTAssertEqual(try Message.decode(examples[6].bytes), .peerHello(Self.peerHello))
        XCTAssertTrue(Self.clusterKey.verify(examples[7].bytes))
        XCTAssertEqual(try Message.decode(examples[7].bytes), .peerAnnounce(Self.peerAnnounce))
        XCTAssertTrue(Self.clusterKey.verify(examples[8].bytes))
        XCTAssertEqual(try Message.decode(examples[8].bytes), .bye(token: Self.peerToken, reason: .shutdown))
        XCTAssertTrue(Self.clusterKey.verify(examples[9].bytes))
        XCTAssertEqual(try Message.decode(examples[9].bytes), .peerBlocks(Self.peerBlocks))
        XCTAssertEqual(ClusterKey.originTag(brokerID: Self.brokerID), 0x4C_2A1B)
    }

    /// Prints every example as §11 shows it (when the page and the codec disagree, to regenerate the page).
    func printExamples() {
        print(
            "stream key \(StreamKeys.hex(Self.streamKey)); media key k0 \(String(Self.mediaKey.k0, radix: 16)) k1 \(String(Self.mediaKey.k1, radix: 16))"
        )
        for e in Self.examples() {
            print("== \(e.name) (\(e.bytes.count) bytes)")
            for o in stride(from: 0, to: min(e.bytes.count, 64), by: 16) {
                let line = e.bytes[o..<min(o + 16, e.bytes.count)].map { String(format: "%02x", $0) }.joined(separator: " ")
                print(String(format: "%04x  ", o) + line)
            }
        }
    }
}
