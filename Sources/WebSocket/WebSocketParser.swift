/// Incremental parser of the frames a client sends (RFC 6455 §5): bytes in, whole messages or one terminal error
/// out; no I/O, after h11. Fragments are joined, masks removed, text checked as UTF-8.
///
/// Memory: a frame's header is checked before its payload is awaited, so a length over the limit fails at once;
/// after `next()` returns nil the buffer holds at most one incomplete frame (`maxMessageBytes` + 14 bytes) and
/// the message being joined (`maxMessageBytes`).
public struct WebSocketParser: Sendable {
    public let limits: WebSocketLimits
    private var buffer: [UInt8] = []
    private var start = 0
    private var fragments: [UInt8] = []
    private var fragmentOpcode: WebSocketOpcode?
    private var fragmentCount = 0
    private var failure: WebSocketError?

    /// A parser for one connection.
    public init(limits: WebSocketLimits = WebSocketLimits()) {
        self.limits = limits
    }

    /// Bytes received but not yet part of a returned message.
    public var bufferedByteCount: Int { buffer.count - start + fragments.count }

    /// Appends received bytes (any amount; byte by byte works). Ignored once the parser has failed.
    public mutating func receive(_ bytes: some Collection<UInt8>) {
        guard failure == nil else { return }
        if start > 0 && start >= buffer.count / 2 {
            buffer.removeFirst(start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next whole message, nil when more bytes are needed, or the terminal error (repeated on every call).
    public mutating func next() throws(WebSocketError) -> WebSocketMessage? {
        if let failure { throw failure }
        do throws(WebSocketError) {
            while let frame = try nextFrame() {
                if let message = try assemble(frame) { return message }
            }
            return nil
        } catch {
            failure = error
            buffer = []
            fragments = []
            throw error
        }
    }

    private struct Frame {
        var fin: Bool
        var opcode: WebSocketOpcode
        var payload: [UInt8]
    }

    /// Parses one frame if it is all here; checks the header as soon as the header is here.
    private mutating func nextFrame() throws(WebSocketError) -> Frame? {
        let available = buffer.count - start
        guard available >= 2 else { return nil }
        let b0 = buffer[start]
        let b1 = buffer[start + 1]
        guard b0 & 0x70 == 0 else { throw .reservedBits }
        guard let opcode = WebSocketOpcode(rawValue: b0 & 0x0F) else { throw .unknownOpcode(b0 & 0x0F) }
        let fin = b0 & 0x80 != 0
        guard b1 & 0x80 != 0 else { throw .unmasked }
        var length = Int(b1 & 0x7F)
        var headLength = 2
        if opcode.isControl && (!fin || length > 125) { throw .badControlFrame }
        if length == 126 {
            guard available >= 4 else { return nil }
            length = Int(buffer[start + 2]) << 8 | Int(buffer[start + 3])
            guard length >= 126 else { throw .badLength }
            headLength = 4
        } else if length == 127 {
            guard available >= 10 else { return nil }
            var v: UInt64 = 0
            for i in 2..<10 { v = v << 8 | UInt64(buffer[start + i]) }
            guard v >> 63 == 0, v > 0xFFFF else { throw .badLength }
            guard v <= UInt64(limits.maxMessageBytes) else { throw .tooLarge(limits.maxMessageBytes) }
            length = Int(v)
            headLength = 10
        }
        if !opcode.isControl && fragments.count + length > limits.maxMessageBytes { throw .tooLarge(limits.maxMessageBytes) }
        guard available >= headLength + 4 + length else { return nil }
        let mask = Array(buffer[(start + headLength)..<(start + headLength + 4)])
        let from = start + headLength + 4
        var payload = Array(buffer[from..<(from + length)])
        for i in payload.indices { payload[i] ^= mask[i & 3] }
        start = from + length
        return Frame(fin: fin, opcode: opcode, payload: payload)
    }

    /// Joins data fragments; control frames pass through, even between fragments (§5.4).
    private mutating func assemble(_ frame: Frame) throws(WebSocketError) -> WebSocketMessage? {
        switch frame.opcode {
        case .ping: return .ping(frame.payload)
        case .pong: return .pong(frame.payload)
        case .close: return try Self.close(frame.payload)
        case .continuation:
            guard let opcode = fragmentOpcode else { throw .badFragmentation }
            fragmentCount += 1
            guard fragmentCount <= limits.maxFragments else { throw .tooLarge(limits.maxMessageBytes) }
            fragments += frame.payload
            guard frame.fin else { return nil }
            let whole = fragments
            fragments = []
            fragmentOpcode = nil
            return try Self.message(opcode, whole)
        case .text, .binary:
            guard fragmentOpcode == nil else { throw .badFragmentation }
            if frame.fin { return try Self.message(frame.opcode, frame.payload) }
            fragmentOpcode = frame.opcode
            fragmentCount = 1
            fragments = frame.payload
            return nil
        }
    }

    private static func message(_ opcode: WebSocketOpcode, _ payload: [UInt8]) throws(WebSocketError) -> WebSocketMessage {
        guard opcode == .text else { return .binary(payload) }
        guard let s = String(validating: payload, as: UTF8.self) else { throw .invalidUTF8 }
        return .text(s)
    }

    /// §5.5.1 and §7.4: no payload, or a code a peer may send followed by UTF-8.
    private static func close(_ payload: [UInt8]) throws(WebSocketError) -> WebSocketMessage {
        if payload.isEmpty { return .close(code: nil, reason: "") }
        guard payload.count >= 2 else { throw .badClose }
        let code = UInt16(payload[0]) << 8 | UInt16(payload[1])
        let allowed = (1000...1003).contains(code) || (1007...1011).contains(code) || (3000...4999).contains(code)
        guard allowed else { throw .badClose }
        guard let reason = String(validating: payload[2...], as: UTF8.self) else { throw .invalidUTF8 }
        return .close(code: code, reason: reason)
    }
}
