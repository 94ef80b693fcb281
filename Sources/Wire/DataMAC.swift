import Crypto

/// The MAC every DATA datagram carries (8 bytes at `DataHeader.macOffset`): SipHash-2-4 under the producer's media
/// key over the datagram's header up to its flags (`DataHeader.macCoveredHeader` bytes) and its payload (from
/// `WireConstants.dataHeaderSize` to the end). The flags and reserved bytes between them are not covered, so a
/// broker can mark a datagram resent, cached or relayed without breaking it, and forward the bytes it received
/// unchanged. The broker checks it once per datagram received from a producer; subscribers never learn the key.
public struct DataMAC: Sendable, Equatable {
    @usableFromInline let sip: SipHash24
    public var k0: UInt64 { sip.k0 }
    public var k1: UInt64 { sip.k1 }

    public init(k0: UInt64, k1: UInt64) { sip = SipHash24(k0: k0, k1: k1) }

    /// A key from 16 bytes (little-endian halves, as SipHash reads its key).
    public init(key: [UInt8]) { sip = SipHash24(key: key) }

    /// The MAC of a DATA datagram of at least `dataHeaderSize` bytes.
    @inlinable
    public func compute(_ datagram: [UInt8]) -> UInt64 {
        datagram.withUnsafeBytes { raw in mac(raw) }
    }

    /// Writes the MAC into a DATA datagram built by the `Chunker` (or resent from a buffer).
    public func stamp(_ datagram: inout [UInt8]) {
        DataHeader.setMAC(&datagram, compute(datagram))
    }

    /// Whether a validated DATA datagram carries the right MAC.
    @inlinable
    public func verify(_ datagram: [UInt8]) -> Bool {
        datagram.withUnsafeBytes { raw in mac(raw) == DataHeader.mac(of: raw) }
    }

    /// The covered header and the payload hashed as one message, in place: no copy, no allocation.
    @inlinable
    func mac(_ raw: UnsafeRawBufferPointer) -> UInt64 {
        sip.hash(
            UnsafeRawBufferPointer(rebasing: raw[0..<DataHeader.macCoveredHeader]),
            then: UnsafeRawBufferPointer(rebasing: raw[WireConstants.dataHeaderSize...]))
    }
}
