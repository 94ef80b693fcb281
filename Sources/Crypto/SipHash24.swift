/// SipHash-2-4 (Aumasson & Bernstein, "SipHash: a fast short-input PRF", 2012): the address cookies and HELLO
/// challenges, the control seals, and the MAC of every DATA datagram. The one implementation in the package; the
/// per-datagram callers use the raw-buffer entry points, which neither copy nor allocate.
public struct SipHash24: Sendable, Equatable {
    public let k0: UInt64
    public let k1: UInt64
    public init(k0: UInt64, k1: UInt64) {
        self.k0 = k0
        self.k1 = k1
    }

    /// A key from 16 bytes, read as two little-endian halves as the reference implementation reads its key.
    public init(key: [UInt8]) {
        precondition(key.count >= 16, "a SipHash key is 16 bytes")
        var a: UInt64 = 0
        var b: UInt64 = 0
        for i in 0..<8 {
            a |= UInt64(key[i]) << (8 * UInt64(i))
            b |= UInt64(key[8 + i]) << (8 * UInt64(i))
        }
        self.init(k0: a, k1: b)
    }

    /// The hash of `data`.
    @inlinable
    public func hash(_ data: [UInt8]) -> UInt64 {
        data.withUnsafeBytes { hash($0) }
    }

    /// The hash of the bytes in `raw`.
    @inlinable
    public func hash(_ raw: UnsafeRawBufferPointer) -> UInt64 {
        hash(UnsafeRawBufferPointer(start: nil, count: 0), then: raw)
    }

    /// The hash of `first` followed by `second`, as one message, without joining them: a DATA datagram's MAC
    /// covers its header before the MAC field and its payload after it. `first` is a whole number of 8-byte
    /// words, so the message's words never straddle the two parts.
    @inlinable
    public func hash(_ first: UnsafeRawBufferPointer, then second: UnsafeRawBufferPointer) -> UInt64 {
        precondition(first.count % 8 == 0, "the first part is whole 8-byte words")
        var s = State(k0, k1)
        s.absorbWords(first)
        let tail = s.absorbWords(second)
        var last = UInt64(truncatingIfNeeded: first.count + second.count) << 56
        var shift: UInt64 = 0
        for i in tail..<second.count {
            last |= UInt64(second[i]) << shift
            shift += 8
        }
        s.compress(last)
        return s.finalize()
    }

    /// The four words of the state, the rounds, and the finalisation (SipHash paper, §2).
    @usableFromInline
    struct State {
        @usableFromInline var v0: UInt64
        @usableFromInline var v1: UInt64
        @usableFromInline var v2: UInt64
        @usableFromInline var v3: UInt64

        @inlinable
        init(_ k0: UInt64, _ k1: UInt64) {
            v0 = 0x736f_6d65_7073_6575 ^ k0
            v1 = 0x646f_7261_6e64_6f6d ^ k1
            v2 = 0x6c79_6765_6e65_7261 ^ k0
            v3 = 0x7465_6462_7974_6573 ^ k1
        }

        @inlinable @inline(__always)
        mutating func round() {
            v0 = v0 &+ v1
            v1 = v1.rotl(13)
            v1 ^= v0
            v0 = v0.rotl(32)
            v2 = v2 &+ v3
            v3 = v3.rotl(16)
            v3 ^= v2
            v0 = v0 &+ v3
            v3 = v3.rotl(21)
            v3 ^= v0
            v2 = v2 &+ v1
            v1 = v1.rotl(17)
            v1 ^= v2
            v2 = v2.rotl(32)
        }

        /// Two compression rounds over one little-endian message word.
        @inlinable @inline(__always)
        mutating func compress(_ m: UInt64) {
            v3 ^= m
            round()
            round()
            v0 ^= m
        }

        /// Compresses the whole 8-byte words of `raw`; returns the offset of the bytes left over (0 to 7 of them).
        @inlinable @inline(__always) @discardableResult
        mutating func absorbWords(_ raw: UnsafeRawBufferPointer) -> Int {
            var o = 0
            while o + 8 <= raw.count {
                compress(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: o, as: UInt64.self)))
                o += 8
            }
            return o
        }

        @inlinable @inline(__always)
        mutating func finalize() -> UInt64 {
            v2 ^= 0xff
            round()
            round()
            round()
            round()
            return v0 ^ v1 ^ v2 ^ v3
        }
    }
}

extension UInt64 {
    @inlinable @inline(__always)
    func rotl(_ n: UInt64) -> UInt64 { (self << n) | (self >> (64 - n)) }
}
