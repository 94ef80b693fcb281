import Wire

/// The classic pcap file format (https://www.tcpdump.org/manpages/pcap-savefile.5.html), little-endian,
/// microsecond timestamps, link type RAW (101: each packet starts with an IPv4 or IPv6 header). The broker sees
/// UDP payloads, not packets, so each record gets synthesised IP and UDP headers with the real addresses and
/// ports and correct checksums; Wireshark and tshark then decode UDP and hand the payload to the vbwire
/// dissector as if it had been captured on the wire.
public enum PcapFormat {
    public static let linkTypeRaw: UInt32 = 101
    /// Largest packet recorded whole (the IP and UDP headers plus the payload); longer ones are cut here.
    public static let snapLength = 65_535
    public static let fileHeaderLength = 24
    public static let recordHeaderLength = 16

    /// The 24-byte file header.
    public static func fileHeader() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(fileHeaderLength)
        le32(0xa1b2_c3d4, &out)
        le16(2, &out)
        le16(4, &out)
        le32(0, &out)  // thiszone
        le32(0, &out)  // sigfigs
        le32(UInt32(snapLength), &out)
        le32(linkTypeRaw, &out)
        return out
    }

    /// One record: header, IP header, UDP header, payload. `ipID` numbers IPv4 packets (any value is valid).
    public static func record(_ payload: [UInt8], from: PeerAddress, to: PeerAddress, wallMicros: UInt64, ipID: UInt16) -> [UInt8] {
        var out: [UInt8] = []
        payload.withUnsafeBytes { appendRecord($0, from: from, to: to, wallMicros: wallMicros, ipID: ipID, to: &out) }
        return out
    }

    /// The same, appended to `out` (a capture appends to its write buffer: no array per record).
    public static func appendRecord(
        _ payload: UnsafeRawBufferPointer, from: PeerAddress, to: PeerAddress, wallMicros: UInt64, ipID: UInt16, to out: inout [UInt8]
    ) {
        let ipLength = from.isIPv6 ? 40 : 20
        let udpLength = 8 + payload.count
        let packetLength = ipLength + udpLength
        let kept = min(packetLength, snapLength)
        out.reserveCapacity(out.count + recordHeaderLength + kept)
        le32(UInt32(truncatingIfNeeded: wallMicros / 1_000_000), &out)
        le32(UInt32(wallMicros % 1_000_000), &out)
        le32(UInt32(kept), &out)
        le32(UInt32(packetLength), &out)
        if from.isIPv6 {
            ipv6Header(from: from, to: to, payloadLength: udpLength, &out)
        } else {
            ipv4Header(from: from, to: to, totalLength: packetLength, id: ipID, &out)
        }
        out += udpHeader(payload, from: from, to: to)
        out += UnsafeRawBufferPointer(rebasing: payload.prefix(kept - ipLength - 8))
    }

    static func ipv4Header(from: PeerAddress, to: PeerAddress, totalLength: Int, id: UInt16, _ out: inout [UInt8]) {
        var h: [UInt8] = [0x45, 0]
        be16(UInt16(clamping: totalLength), &h)
        be16(id, &h)
        be16(0x4000, &h)  // don't fragment
        h += [64, 17, 0, 0]  // TTL, UDP, checksum (below)
        be32(UInt32(truncatingIfNeeded: from.low), &h)
        be32(UInt32(truncatingIfNeeded: to.low), &h)
        let sum = checksum(h, initial: 0)
        h[10] = UInt8(sum >> 8)
        h[11] = UInt8(sum & 0xff)
        out += h
    }

    static func ipv6Header(from: PeerAddress, to: PeerAddress, payloadLength: Int, _ out: inout [UInt8]) {
        out += [0x60, 0, 0, 0]
        be16(UInt16(clamping: payloadLength), &out)
        out += [17, 64]
        for a in [from, to] {
            be64(a.high, &out)
            be64(a.low, &out)
        }
    }

    /// The UDP header with its checksum over the pseudo-header, header and payload (RFC 768, RFC 8200 §8.1).
    static func udpHeader(_ payload: UnsafeRawBufferPointer, from: PeerAddress, to: PeerAddress) -> [UInt8] {
        let length = 8 + payload.count
        var h: [UInt8] = []
        be16(from.port, &h)
        be16(to.port, &h)
        be16(UInt16(clamping: length), &h)
        h += [0, 0]
        var pseudo: [UInt8] = []
        if from.isIPv6 {
            for a in [from, to] {
                be64(a.high, &pseudo)
                be64(a.low, &pseudo)
            }
            be32(UInt32(length), &pseudo)
            pseudo += [0, 0, 0, 17]
        } else {
            be32(UInt32(truncatingIfNeeded: from.low), &pseudo)
            be32(UInt32(truncatingIfNeeded: to.low), &pseudo)
            pseudo += [0, 17]
            be16(UInt16(clamping: length), &pseudo)
        }
        var sum = pseudo.withUnsafeBytes { sum16($0, 0) }
        sum = h.withUnsafeBytes { sum16($0, sum) }
        sum = sum16(payload, sum)
        var c = fold(sum)
        if c == 0 { c = 0xffff }  // 0 means "no checksum" in UDP over IPv4
        h[6] = UInt8(c >> 8)
        h[7] = UInt8(c & 0xff)
        return h
    }

    /// The Internet checksum (RFC 1071) of `bytes`.
    static func checksum(_ bytes: [UInt8], initial: UInt32) -> UInt16 { fold(bytes.withUnsafeBytes { sum16($0, initial) }) }

    private static func sum16(_ bytes: UnsafeRawBufferPointer, _ initial: UInt32) -> UInt32 {
        var s = UInt64(initial)
        var i = 0
        while i + 1 < bytes.count {
            s += UInt64(bytes[i]) << 8 | UInt64(bytes[i + 1])
            i += 2
        }
        if i < bytes.count { s += UInt64(bytes[i]) << 8 }
        while s >> 32 != 0 { s = (s & 0xffff_ffff) + (s >> 32) }
        return UInt32(s)
    }

    private static func fold(_ s: UInt32) -> UInt16 {
        var x = s
        while x >> 16 != 0 { x = (x & 0xffff) + (x >> 16) }
        return ~UInt16(x)
    }

    private static func le16(_ v: UInt16, _ out: inout [UInt8]) { out += [UInt8(v & 0xff), UInt8(v >> 8)] }
    private static func le32(_ v: UInt32, _ out: inout [UInt8]) {
        for s in stride(from: 0, to: 32, by: 8) { out.append(UInt8((v >> UInt32(s)) & 0xff)) }
    }
    private static func be16(_ v: UInt16, _ out: inout [UInt8]) { out += [UInt8(v >> 8), UInt8(v & 0xff)] }
    private static func be32(_ v: UInt32, _ out: inout [UInt8]) {
        for s in stride(from: 24, through: 0, by: -8) { out.append(UInt8((v >> UInt32(s)) & 0xff)) }
    }
    private static func be64(_ v: UInt64, _ out: inout [UInt8]) {
        for s in stride(from: 56, through: 0, by: -8) { out.append(UInt8((v >> UInt64(s)) & 0xff)) }
    }
}
