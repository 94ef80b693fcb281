/// A UDP peer's address as the core sees it: family, 16 address bytes (IPv4 in the low 4) and port.
/// The socket layer converts to and from `sockaddr`; the core only compares and hashes it.
public struct PeerAddress: Hashable, Sendable, CustomStringConvertible {
    public var isIPv6: Bool
    public var high: UInt64
    public var low: UInt64
    public var port: UInt16

    public init(ipv4: UInt32, port: UInt16) {
        isIPv6 = false
        high = 0
        low = UInt64(ipv4)
        self.port = port
    }
    public init(ipv6High: UInt64, low: UInt64, port: UInt16) {
        isIPv6 = true
        high = ipv6High
        self.low = low
        self.port = port
    }

    /// Bytes fed to the cookie hash.
    public var cookieMaterial: [UInt8] {
        var w = ByteWriter(capacity: 19)
        w.write(isIPv6 ? UInt8(6) : UInt8(4))
        w.write(high)
        w.write(low)
        w.write(port)
        return w.bytes
    }

    public var description: String {
        if !isIPv6 {
            let a = UInt32(truncatingIfNeeded: low)
            return "\(a >> 24).\((a >> 16) & 255).\((a >> 8) & 255).\(a & 255):\(port)"
        }
        var groups: [String] = []
        for word in [high, low] {
            for s in stride(from: 48, through: 0, by: -16) { groups.append(String((word >> UInt64(s)) & 0xffff, radix: 16)) }
        }
        return "[\(groups.joined(separator: ":"))]:\(port)"
    }
}
