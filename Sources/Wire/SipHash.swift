/// SipHash-2-4 (Aumasson & Bernstein), used to derive the address cookies the broker hands out.
public struct SipHash24: Sendable {
    public let k0: UInt64
    public let k1: UInt64
    public init(k0: UInt64, k1: UInt64) {
        self.k0 = k0
        self.k1 = k1
    }

    public func hash(_ data: [UInt8]) -> UInt64 {
        var v0: UInt64 = 0x736f_6d65_7073_6575 ^ k0
        var v1: UInt64 = 0x646f_7261_6e64_6f6d ^ k1
        var v2: UInt64 = 0x6c79_6765_6e65_7261 ^ k0
        var v3: UInt64 = 0x7465_6462_7974_6573 ^ k1
        @inline(__always) func round() {
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
        let n = data.count
        var i = 0
        while i + 8 <= n {
            var m: UInt64 = 0
            for j in 0..<8 { m |= UInt64(data[i + j]) << (8 * UInt64(j)) }
            v3 ^= m
            round()
            round()
            v0 ^= m
            i += 8
        }
        var last = UInt64(n & 0xff) << 56
        var j = 0
        while i + j < n {
            last |= UInt64(data[i + j]) << (8 * UInt64(j))
            j += 1
        }
        v3 ^= last
        round()
        round()
        v0 ^= last
        v2 ^= 0xff
        round()
        round()
        round()
        round()
        return v0 ^ v1 ^ v2 ^ v3
    }
}

extension UInt64 {
    @inline(__always) func rotl(_ n: UInt64) -> UInt64 { (self << n) | (self >> (64 - n)) }
}
