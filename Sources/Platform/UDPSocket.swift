import CWire
import Wire

#if canImport(Glibc)
    import Glibc
#endif

/// A non-blocking UDP socket with batched receive (recvmmsg, with UDP GRO where the kernel has it) and batched,
/// segmented send (sendmmsg + UDP GSO). The only type that calls the socket system calls.
public final class UDPSocket: @unchecked Sendable {
    public let fd: Int32
    public let isIPv6: Bool
    /// Whether UDP_SEGMENT (GSO) works; turned off at the first refusal.
    /// `UDP_GSO=off` in the environment turns it off, so a capture on loopback shows one datagram per packet
    /// (a capture taken before segmentation shows GSO batches as one large packet).
    public private(set) var gsoEnabled = getenv("UDP_GSO").map { String(cString: $0) != "off" } ?? true
    /// Whether UDP_GRO is on: the kernel may then hand over a sender's GSO batch as one message, which
    /// `receiveBatch` splits again. On loopback this spares the kernel splitting it at all.
    public let groEnabled: Bool

    /// Whether the kernel stamps each received message (`timestamps:` at init).
    public let timestampsEnabled: Bool
    /// While `receiveBatch` calls its body: when the kernel queued the current message on this socket
    /// (CLOCK_REALTIME nanoseconds, comparable with `Clock.wallNanos()`); 0 without timestamps.
    public private(set) var arrivalWallNanos: Int64 = 0

    private let storage: ReceiveStorage
    private let slotSize: Int
    /// Times a receive or send failed with ECONNREFUSED: on a connected socket (`connect(to:)`), the kernel's report
    /// of an ICMP port unreachable from the peer (nothing listens there any more). The owner compares it.
    public private(set) var refusals = 0

    /// `storage`: where received datagrams land; by default the socket gets its own of `batch` slots.
    /// `timestamps`: have the kernel stamp every received message (SO_TIMESTAMPNS), for `arrivalWallNanos`.
    public init(
        bind address: PeerAddress, batch: Int = 64, receiveBuffer: Int32 = 4 << 20, sendBuffer: Int32 = 4 << 20,
        storage: ReceiveStorage? = nil, timestamps: Bool = false
    ) throws(SystemError) {
        isIPv6 = address.isIPv6
        let s = socket(
            address.isIPv6 ? AF_INET6 : AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard s >= 0 else { throw SystemError("socket") }
        fd = s
        // No SO_REUSEADDR: UDP has no TIME_WAIT to skip, and with it Linux hands out an ephemeral port another
        // such socket already holds, and lets a second broker bind the same port and silently take its traffic.
        var rb = receiveBuffer
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rb, socklen_t(MemoryLayout<Int32>.size))
        var sb = sendBuffer
        setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sb, socklen_t(MemoryLayout<Int32>.size))
        var storageAddr = sockaddr_storage()
        let len = address.write(to: &storageAddr)
        let rc = withUnsafePointer(to: &storageAddr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(s, $0, len) } }
        if rc != 0 {
            let e = SystemError("bind \(address)")
            close(s)
            throw e
        }
        let st = storage ?? ReceiveStorage(batch: batch)
        self.storage = st
        // With GRO a message can be up to 64 KB; a storage with small slots would truncate it, so GRO needs both.
        groEnabled = st.gro && cwire_enable_gro(s) == 0
        slotSize = st.slotSize
        timestampsEnabled = timestamps && cwire_enable_timestamps(s) == 0
    }

    deinit {
        close(fd)
    }

    /// The local address the socket is bound to.
    public var localAddress: PeerAddress? {
        var storage = sockaddr_storage()
        var len = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let rc = withUnsafeMutablePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        guard rc == 0 else { return nil }
        return withUnsafePointer(to: &storage) { PeerAddress(sockaddr: UnsafeRawPointer($0), length: len) }
    }

    /// Connects the socket to `peer` (again: a UDP socket may be re-connected at any time): ICMP errors about it
    /// are then reported (`refusals`) and only its datagrams are received. Returns false (with errno) if refused.
    @discardableResult
    public func connect(to peer: PeerAddress) -> Bool {
        var storageAddr = sockaddr_storage()
        let len = peer.write(to: &storageAddr)
        let rc = withUnsafePointer(to: &storageAddr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, len) } }
        return rc == 0
    }

    /// The most messages one `receiveBatch` takes: when it returns fewer, the socket was empty at that moment.
    public var receiveBatchLimit: Int { storage.batch }

    /// Receives what is waiting, without blocking, up to the storage's batch of messages; calls `body` for each
    /// datagram (a GRO message is split back into its datagrams). Returns how many messages were read, 0 when
    /// nothing was waiting.
    @discardableResult
    public func receiveBatch(_ body: ([UInt8], PeerAddress) -> Void) -> Int {
        let st = storage
        let n = cwire_recv_batch(
            fd, st.buffers, Int32(slotSize), Int32(st.batch), st.addrs, Int32(MemoryLayout<sockaddr_storage>.size),
            st.lens, st.addrLens, st.truncated, groEnabled ? st.segments : nil, timestampsEnabled ? st.stamps : nil)
        guard n > 0 else {
            if n < 0 && errno == ECONNREFUSED { refusals += 1 }
            return 0
        }
        for i in 0..<Int(n) {
            guard let from = PeerAddress(sockaddr: UnsafeRawPointer(st.addrs + i), length: st.addrLens[i]) else { continue }
            let base = st.buffers + i * slotSize
            // An over-long datagram is passed at its full slot size: the decoder rejects it by length.
            let len = st.truncated[i] != 0 ? slotSize : min(Int(st.lens[i]), slotSize)
            let seg = groEnabled ? Int(st.segments[i]) : 0
            if timestampsEnabled { arrivalWallNanos = st.stamps[i] }
            if seg <= 0 || seg >= len {
                body([UInt8](UnsafeRawBufferPointer(start: base, count: len)), from)
                continue
            }
            var off = 0
            while off < len {
                let c = min(seg, len - off)
                body([UInt8](UnsafeRawBufferPointer(start: base + off, count: c)), from)
                off += c
            }
        }
        return Int(n)
    }

    public enum SendResult {
        case sent, wouldBlock
        case failed(Int32)
    }

    /// Sends one datagram.
    @discardableResult
    public func send(_ bytes: [UInt8], to: PeerAddress) -> SendResult {
        var storage = sockaddr_storage()
        let len = to.write(to: &storage)
        while true {
            let n = bytes.withUnsafeBytes { b in
                withUnsafePointer(to: &storage) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(fd, b.baseAddress, b.count, 0, $0, len) }
                }
            }
            if n >= 0 { return .sent }
            if errno == EINTR { continue }
            if errno == EAGAIN || errno == EWOULDBLOCK { return .wouldBlock }
            if errno == ECONNREFUSED { refusals += 1 }
            return .failed(errno)
        }
    }
}

extension UDPSocket {
    /// Sends every later message one datagram at a time (after the kernel refused a GSO send).
    func disableGSO() { gsoEnabled = false }
}
