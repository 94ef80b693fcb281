import Crypto

/// What the brokers of one cluster derive from CLUSTER_SECRET: the key that tags every peer message (PEER_HELLO,
/// PEER_ANNOUNCE, PEER_INTEREST), and the address-cookie key, so a cookie made by one broker is valid at every
/// broker of the cluster. A process without the secret can neither join the mesh nor forge a peer message.
public struct ClusterKey: Sendable {
    private let tagKey: SipHash24
    /// The cookie key every broker of the cluster uses.
    public let cookieKey: (UInt64, UInt64)
    public static let minSecretBytes = 16

    public init(secret: [UInt8]) {
        func derive(_ label: String) -> (UInt64, UInt64) {
            let k = DataMAC(key: Array(HMACSHA256.mac(key: secret, Array(label.utf8)).prefix(16)))
            return (k.k0, k.k1)
        }
        let t = derive("vbroker peer tag v1")
        tagKey = SipHash24(k0: t.0, k1: t.1)
        cookieKey = derive("vbroker cookie v1")
    }

    /// Writes the tag (SipHash-2-4 of everything before it) into the last 8 bytes, big-endian.
    public func seal(_ bytes: inout [UInt8]) {
        let n = bytes.count - WireConstants.peerTagSize
        let t = bytes.withUnsafeBytes { tagKey.hash(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        for i in 0..<8 { bytes[n + i] = UInt8(truncatingIfNeeded: t >> (56 - 8 * UInt64(i))) }
    }

    public func verify(_ bytes: [UInt8]) -> Bool {
        guard bytes.count > WireConstants.peerTagSize + 4 else { return false }
        let n = bytes.count - WireConstants.peerTagSize
        var got: UInt64 = 0
        for i in 0..<8 { got = got << 8 | UInt64(bytes[n + i]) }
        let want = bytes.withUnsafeBytes { tagKey.hash(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        return (got ^ want) == 0
    }

    /// A broker's origin tag: the low 24 bits of its id, never 0 (0 means "no origin").
    public static func originTag(brokerID: UInt64) -> UInt32 {
        let t = UInt32(truncatingIfNeeded: brokerID) & 0xFF_FFFF
        return t == 0 ? 1 : t
    }
}
