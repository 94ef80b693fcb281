import CWire
import Wire

#if canImport(Glibc)
    import Glibc
#endif

/// Where received datagrams land: `batch` slots, each big enough for a UDP_GRO message (64 KB) or, without
/// GRO, for one datagram (2 KB). Sockets that one thread reads one after the other can share one storage (the
/// multi-session client has hundreds of sockets and one thread), so it costs memory once, not per socket.
/// Not thread-safe.
public final class ReceiveStorage: @unchecked Sendable {
    /// A GRO message is at most one 64 KB UDP payload.
    static let groSlotBytes = 65_536
    /// Without GRO one datagram: ours are at most 1400 bytes; larger ones are truncated and fail to decode.
    static let plainSlotBytes = 2048
    let batch: Int
    let slotSize: Int
    let gro: Bool
    let buffers: UnsafeMutableRawPointer
    let addrs: UnsafeMutablePointer<sockaddr_storage>
    let lens: UnsafeMutablePointer<Int32>
    let addrLens: UnsafeMutablePointer<UInt32>
    let truncated: UnsafeMutablePointer<Int32>
    let segments: UnsafeMutablePointer<Int32>
    let stamps: UnsafeMutablePointer<Int64>

    /// `gro`: whether the sockets using it ask for UDP_GRO (`UDP_GRO=off` in the environment turns that off).
    public init(batch: Int, gro: Bool = ReceiveStorage.groDefault) {
        self.batch = max(1, batch)
        self.gro = gro
        slotSize = gro ? Self.groSlotBytes : Self.plainSlotBytes
        buffers = .allocate(byteCount: self.batch * slotSize, alignment: 16)
        addrs = .allocate(capacity: self.batch)
        lens = .allocate(capacity: self.batch)
        addrLens = .allocate(capacity: self.batch)
        truncated = .allocate(capacity: self.batch)
        segments = .allocate(capacity: self.batch)
        stamps = .allocate(capacity: self.batch)
    }

    deinit {
        buffers.deallocate()
        addrs.deallocate()
        lens.deallocate()
        addrLens.deallocate()
        truncated.deallocate()
        segments.deallocate()
        stamps.deallocate()
    }

    /// On unless `UDP_GRO=off` is in the environment (a peer or tool that wants one datagram per receive).
    public static var groDefault: Bool { getenv("UDP_GRO").map { String(cString: $0) != "off" } ?? true }
}
