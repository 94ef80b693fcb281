import Crypto

/// What authenticates every control message a broker sends a client or producer (WELCOME, HEARTBEAT_ACK, ACK, ERROR,
/// STREAM_STATUS, LIST_REPLY, BYE; docs/PROTOCOL.md §4 "Control authentication"): a 12-byte trailer, a counter and a
/// SipHash-2-4 tag under a key per session that both sides derive from what the handshake exchanged: the session
/// token, the HELLO's nonce and the broker's challenge, which an off-path spoofer never sees, and for a producer its
/// stream key too, which nobody but it and the brokers holds. The counter, checked against a window (`ReplayWindow`),
/// makes a captured message worth nothing a second time, as QUIC's packet numbers do.
public struct ControlSeal: Sendable, Equatable {
    public let key: DataMAC
    /// Counter (u32) and tag (u64) after the message.
    public static let trailerSize = 12

    public init(key: DataMAC) { self.key = key }

    /// The session's key, from "vbroker control v1" ‖ token ‖ nonce ‖ challenge: for a producer the first 16 bytes of
    /// HMAC-SHA-256 under its stream key; for a client (and an ERROR refusing a HELLO), which holds no secret, two
    /// SipHash-2-4 values under the zero key of it ‖ 0 and ‖ 1 (its secrecy is the inputs'; the broker derives one per
    /// client HELLO, so it must cost little).
    public static func derive(streamKey: [UInt8], token: UInt64, nonce: UInt64, challenge: UInt64) -> ControlSeal {
        var w = ByteWriter(capacity: 48)
        w.write(bytes: Array("vbroker control v1".utf8))
        w.write(token)
        w.write(nonce)
        w.write(challenge)
        guard streamKey.isEmpty else { return ControlSeal(key: DataMAC(key: Array(HMACSHA256.mac(key: streamKey, w.bytes).prefix(16)))) }
        let sip = SipHash24(k0: 0, k1: 0)
        return ControlSeal(key: DataMAC(k0: sip.hash(w.bytes + [0]), k1: sip.hash(w.bytes + [1])))
    }

    /// The message types a broker seals towards clients and producers (COOKIE, DATA and NACK are not: a COOKIE is
    /// checked by its nonce, DATA by the broker, a NACK only asks for a resend).
    public static func isSealed(_ type: MessageType) -> Bool {
        switch type {
        case .welcome, .heartbeatAck, .ack, .error, .streamStatus, .listReply, .bye: true
        default: false
        }
    }

    /// `bytes` with the trailer: `counter`, then the tag of everything before the tag.
    public func seal(_ bytes: [UInt8], counter: UInt32) -> [UInt8] {
        var w = ByteWriter(capacity: bytes.count + Self.trailerSize)
        w.write(bytes: bytes)
        w.write(counter)
        w.write(tag(w.bytes[...]))
        return w.bytes
    }

    /// The message without its trailer, and its counter, if the tag is right; nil otherwise.
    public func open(_ bytes: ArraySlice<UInt8>) -> (body: ArraySlice<UInt8>, counter: UInt32)? {
        guard bytes.count >= 4 + Self.trailerSize else { return nil }
        let tagAt = bytes.endIndex - 8
        var got: UInt64 = 0
        for i in 0..<8 { got = got << 8 | UInt64(bytes[tagAt + i]) }
        guard got ^ tag(bytes[..<tagAt]) == 0 else { return nil }
        var counter: UInt32 = 0
        for i in 0..<4 { counter = counter << 8 | UInt32(bytes[tagAt - 4 + i]) }
        return (bytes[..<(tagAt - 4)], counter)
    }

    private func tag(_ covered: ArraySlice<UInt8>) -> UInt64 { covered.withUnsafeBytes { key.sip.hash($0) } }
}

/// The counters of sealed messages already taken (the highest, and a bitmap of the 64 below it): a message whose
/// counter was seen, or is more than 64 behind, is a replay or too late, and changes nothing.
public struct ReplayWindow: Sendable, Equatable {
    public private(set) var highest: UInt32 = 0
    private var seen: UInt64 = 0
    public static let width: UInt32 = 64

    public init() {}

    /// Takes `counter` if it is new; false for a repeat or one too old.
    public mutating func accept(_ counter: UInt32) -> Bool {
        if counter > highest {
            let shift = counter - highest
            seen = shift >= 64 ? 0 : seen << UInt64(shift)
            seen |= 1
            highest = counter
            return true
        }
        let back = highest - counter
        guard back < Self.width else { return false }
        let bit = UInt64(1) << UInt64(back)
        guard seen & bit == 0 else { return false }
        seen |= bit
        return true
    }
}
