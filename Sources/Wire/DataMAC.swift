/// The MAC every DATA datagram carries (offset 36, 8 bytes): SipHash-2-4 under the producer's media key over the
/// datagram's bytes 0..<32 and its payload (44..<end). The flags and reserved bytes (32..<36) are not covered, so a
/// broker can mark a datagram resent, cached or relayed without breaking it, and forward the bytes it received
/// unchanged. The broker checks it once per datagram received from a producer; subscribers never learn the key.
public struct DataMAC: Sendable, Equatable {
    public let k0: UInt64
    public let k1: UInt64
    public init(k0: UInt64, k1: UInt64) {
        self.k0 = k0
        self.k1 = k1
    }

    /// A key from 16 bytes (little-endian halves, as SipHash reads its key).
    public init(key: [UInt8]) {
        precondition(key.count >= 16)
        var a: UInt64 = 0
        var b: UInt64 = 0
        for i in 0..<8 {
            a |= UInt64(key[i]) << (8 * UInt64(i))
            b |= UInt64(key[8 + i]) << (8 * UInt64(i))
        }
        self.init(k0: a, k1: b)
    }

    static let macOffset = 36
    static let coveredHeader = 32

    /// The MAC of a DATA datagram of at least `dataHeaderSize` bytes.
    @inlinable
    public func compute(_ datagram: [UInt8]) -> UInt64 {
        datagram.withUnsafeBytes { raw in Self.sip(k0, k1, raw) }
    }

    /// Writes the MAC into a DATA datagram built by the `Chunker` (or resent from a buffer).
    public func stamp(_ datagram: inout [UInt8]) {
        let m = compute(datagram)
        for i in 0..<8 { datagram[Self.macOffset + i] = UInt8(truncatingIfNeeded: m >> (56 - 8 * UInt64(i))) }
    }

    /// Whether a validated DATA datagram carries the right MAC.
    @inlinable
    public func verify(_ datagram: [UInt8]) -> Bool {
        datagram.withUnsafeBytes { raw in
            Self.sip(k0, k1, raw) == UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 36, as: UInt64.self))
        }
    }

    @inlinable
    static func sip(_ k0: UInt64, _ k1: UInt64, _ raw: UnsafeRawBufferPointer) -> UInt64 {
        var v0: UInt64 = 0x736f_6d65_7073_6575 ^ k0
        var v1: UInt64 = 0x646f_7261_6e64_6f6d ^ k1
        var v2: UInt64 = 0x6c79_6765_6e65_7261 ^ k0
        var v3: UInt64 = 0x7465_6462_7974_6573 ^ k1
        @inline(__always) func round() {
            v0 = v0 &+ v1
            v1 = (v1 << 13) | (v1 >> 51)
            v1 ^= v0
            v0 = (v0 << 32) | (v0 >> 32)
            v2 = v2 &+ v3
            v3 = (v3 << 16) | (v3 >> 48)
            v3 ^= v2
            v0 = v0 &+ v3
            v3 = (v3 << 21) | (v3 >> 43)
            v3 ^= v0
            v2 = v2 &+ v1
            v1 = (v1 << 17) | (v1 >> 47)
            v1 ^= v2
            v2 = (v2 << 32) | (v2 >> 32)
        }
        @inline(__always) func compress(_ m: UInt64) {
            v3 ^= m
            round()
            round()
            v0 ^= m
        }
        // The covered header: 4 whole words.
        var o = 0
        while o < 32 {
            compress(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: o, as: UInt64.self)))
            o += 8
        }
        // The payload from offset 44, then its tail with the length byte, as SipHash-2-4 does for one message.
        let n = raw.count
        o = 44
        while o + 8 <= n {
            compress(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: o, as: UInt64.self)))
            o += 8
        }
        var last = UInt64((32 + n - 44) & 0xff) << 56
        var j: UInt64 = 0
        while o < n {
            last |= UInt64(raw[o]) << (8 * j)
            o += 1
            j += 1
        }
        compress(last)
        v2 ^= 0xff
        round()
        round()
        round()
        round()
        return v0 ^ v1 ^ v2 ^ v3
    }
}
