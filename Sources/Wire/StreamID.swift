/// A producer's 3-byte identity, written as 6 hex digits (`1AAA99`).
public struct ProducerID: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let rawValue: UInt32  // low 24 bits

    public init?(rawValue: UInt32) {
        guard rawValue <= 0xFF_FFFF else { return nil }
        self.rawValue = rawValue
    }
    /// Parses exactly 6 hex digits.
    public init?(hex: some StringProtocol) {
        guard hex.count == 6, let v = UInt32(hex, radix: 16), hex.allSatisfy(\.isHexDigit) else { return nil }
        rawValue = v
    }
    public var description: String { hex(rawValue, digits: 6) }
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
    /// The id as it stands on the wire: 3 bytes, big-endian.
    public var bytes: [UInt8] { [UInt8(truncatingIfNeeded: rawValue >> 16), UInt8(truncatingIfNeeded: rawValue >> 8), UInt8(truncatingIfNeeded: rawValue)] }
}

/// Which media a stream carries, and so its codec; the stream index byte of a stream id. Every message that names
/// a stream (HELLO's descriptors, DATA, STREAM_STATUS, LIST entries, the brokers' announcements) carries the
/// codec with it, so a receiver never needs a separate codec field (docs/PROTOCOL.md, "Stream kinds").
public enum StreamKind: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    /// JPEG frames.
    case video = 1
    /// MP3 chunks of whole MP3 frames.
    case audio = 2
    /// Opus chunks (the `Media` module's `OpusChunk`): what a browser publishes, since browsers cannot encode MP3.
    case opus = 3
    public var description: String {
        switch self {
        case .video: "video"
        case .audio: "audio"
        case .opus: "opus"
        }
    }
    /// Sound, in either codec.
    public var isAudio: Bool { self != .video }
}

/// A stream's identity: producer id and a 1-byte stream index, written as 8 hex digits (`1AAA9901`).
/// Index 0 is reserved as a selector meaning "every stream of the producer".
public struct StreamID: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let rawValue: UInt32

    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public init(producer: ProducerID, index: UInt8) { rawValue = producer.rawValue << 8 | UInt32(index) }
    public init(producer: ProducerID, kind: StreamKind) { self.init(producer: producer, index: kind.rawValue) }

    public var producer: ProducerID { ProducerID(rawValue: rawValue >> 8)! }
    public var index: UInt8 { UInt8(truncatingIfNeeded: rawValue) }
    /// True for the "all streams of a producer" selector (index 0).
    public var isProducerSelector: Bool { index == 0 }
    public var kind: StreamKind? { StreamKind(rawValue: index) }
    /// 8 hex digits, or the 6-digit producer id for the "all streams" selector (as users type it).
    public var description: String { isProducerSelector ? hex(rawValue >> 8, digits: 6) : hex(rawValue, digits: 8) }
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }

    /// Parses what a user types: 6 hex digits (all streams of a producer, index 0) or 8 hex digits (one stream).
    public init?(selector text: some StringProtocol) {
        if text.count == 6, let p = ProducerID(hex: text) {
            self.init(producer: p, index: 0)
        } else if text.count == 8, text.allSatisfy(\.isHexDigit), let v = UInt32(text, radix: 16) {
            guard v & 0xFF != 0 else { return nil }
            self.init(rawValue: v)
        } else {
            return nil
        }
    }

    /// True when this selector covers `stream` (equal, or the producer selector of its producer).
    public func covers(_ stream: StreamID) -> Bool {
        self == stream || (isProducerSelector && stream.rawValue >> 8 == rawValue >> 8)
    }
}

func hex(_ v: UInt32, digits: Int) -> String {
    let s = String(v, radix: 16, uppercase: true)
    return String(repeating: "0", count: max(0, digits - s.count)) + s
}

/// 32-bit sequence numbers compared across wraparound (RFC 1982 serial arithmetic).
public enum Serial {
    @inlinable public static func less(_ a: UInt32, _ b: UInt32) -> Bool { Int32(bitPattern: a &- b) < 0 }
    @inlinable public static func distance(from a: UInt32, to b: UInt32) -> Int { Int(Int32(bitPattern: b &- a)) }
}
