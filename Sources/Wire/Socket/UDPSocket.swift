#if canImport(Glibc)
import Glibc
#endif
import CWire

// Constants Glibc does not export.
let SOL_UDP_: Int32 = 17
let UDP_SEGMENT_: Int32 = 103

extension PeerAddress {
    /// Resolves `host:port` (or `[v6]:port`) with getaddrinfo, preferring IPv4.
    public static func resolve(_ text: String) throws(AddressError) -> PeerAddress {
        var host: Substring
        var portText: Substring
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { throw AddressError(text: text, reason: "expected [host]:port") }
            portText = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":") else { throw AddressError(text: text, reason: "expected host:port") }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        }
        guard let port = UInt16(portText) else { throw AddressError(text: text, reason: "port must be 0-65535") }
        if host.isEmpty || host == "*" { host = "0.0.0.0" }
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_DGRAM.rawValue)
        hints.ai_family = AF_UNSPEC
        var res: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(String(host), nil, &hints, &res)
        guard rc == 0, let first = res else {
            throw AddressError(text: text, reason: "cannot resolve host '\(host)' (\(String(cString: gai_strerror(rc))))")
        }
        defer { freeaddrinfo(res) }
        var chosen: PeerAddress?
        var p: UnsafeMutablePointer<addrinfo>? = first
        while let ai = p {
            if let a = PeerAddress(sockaddr: UnsafeRawPointer(ai.pointee.ai_addr), length: ai.pointee.ai_addrlen) {
                var b = a
                b.port = port
                if !b.isIPv6 { return b }
                if chosen == nil { chosen = b }
            }
            p = ai.pointee.ai_next
        }
        guard let c = chosen else { throw AddressError(text: text, reason: "no IPv4 or IPv6 address") }
        return c
    }

    init?(sockaddr raw: UnsafeRawPointer, length: socklen_t) {
        let family = raw.load(as: sa_family_t.self)
        if family == sa_family_t(AF_INET), length >= MemoryLayout<sockaddr_in>.size {
            let sin = raw.load(as: sockaddr_in.self)
            self.init(ipv4: UInt32(bigEndian: sin.sin_addr.s_addr), port: UInt16(bigEndian: sin.sin_port))
        } else if family == sa_family_t(AF_INET6), length >= MemoryLayout<sockaddr_in6>.size {
            let sin6 = raw.load(as: sockaddr_in6.self)
            var hi: UInt64 = 0
            var lo: UInt64 = 0
            withUnsafeBytes(of: sin6.sin6_addr) { b in
                for i in 0..<8 { hi = hi << 8 | UInt64(b[i]) }
                for i in 8..<16 { lo = lo << 8 | UInt64(b[i]) }
            }
            self.init(ipv6High: hi, low: lo, port: UInt16(bigEndian: sin6.sin6_port))
        } else {
            return nil
        }
    }

    /// Fills a sockaddr_storage; returns its length.
    func write(to storage: UnsafeMutablePointer<sockaddr_storage>) -> socklen_t {
        let raw = UnsafeMutableRawPointer(storage)
        if !isIPv6 {
            var sin = sockaddr_in()
            sin.sin_family = sa_family_t(AF_INET)
            sin.sin_port = port.bigEndian
            sin.sin_addr.s_addr = UInt32(truncatingIfNeeded: low).bigEndian
            raw.storeBytes(of: sin, as: sockaddr_in.self)
            return socklen_t(MemoryLayout<sockaddr_in>.size)
        }
        var sin6 = sockaddr_in6()
        sin6.sin6_family = sa_family_t(AF_INET6)
        sin6.sin6_port = port.bigEndian
        withUnsafeMutableBytes(of: &sin6.sin6_addr) { b in
            for i in 0..<8 { b[i] = UInt8(truncatingIfNeeded: high >> UInt64(56 - 8 * i)) }
            for i in 0..<8 { b[8 + i] = UInt8(truncatingIfNeeded: low >> UInt64(56 - 8 * i)) }
        }
        raw.storeBytes(of: sin6, as: sockaddr_in6.self)
        return socklen_t(MemoryLayout<sockaddr_in6>.size)
    }
}

/// Where received datagrams land: `batch` slots, each big enough for a UDP_GRO message (64 KB) or, without
/// GRO, for one datagram (2 KB). Sockets that one thread reads one after the other can share one storage (the
/// multi-session client has hundreds of sockets and one thread), so it costs memory once, not per socket.
/// Not thread-safe.
public final class ReceiveStorage: @unchecked Sendable {
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
        slotSize = gro ? 65_536 : 2048
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

    /// `storage`: where received datagrams land; by default the socket gets its own of `batch` slots.
    /// `timestamps`: have the kernel stamp every received message (SO_TIMESTAMPNS), for `arrivalWallNanos`.
    public init(bind address: PeerAddress, batch: Int = 64, receiveBuffer: Int32 = 4 << 20, sendBuffer: Int32 = 4 << 20,
                storage: ReceiveStorage? = nil, timestamps: Bool = false) throws(SystemError) {
        isIPv6 = address.isIPv6
        let s = socket(address.isIPv6 ? AF_INET6 : AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
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
        guard n > 0 else { return 0 }
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

    public enum SendResult { case sent, wouldBlock, failed(Int32) }

    /// Sends one datagram.
    @discardableResult
    public func send(_ bytes: [UInt8], to: PeerAddress) -> SendResult {
        var storage = sockaddr_storage()
        let len = to.write(to: &storage)
        while true {
            let n = bytes.withUnsafeBytes { b in
                withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(fd, b.baseAddress, b.count, 0, $0, len) } }
            }
            if n >= 0 { return .sent }
            if errno == EINTR { continue }
            if errno == EAGAIN || errno == EWOULDBLOCK { return .wouldBlock }
            return .failed(errno)
        }
    }
}

/// Sends many datagrams to many destinations in as few system calls as possible: consecutive datagrams to the
/// same destination go as one UDP GSO message (segments of equal size, the last may be shorter), and the
/// messages go in one sendmmsg. Nothing is copied: each message's iovecs point at the datagrams' own storage,
/// which the sender keeps alive until the flush, so one datagram fanned out to a hundred subscribers is a
/// hundred iovecs over one buffer (as in the reference forwarder), not a hundred copies of it. Reused across
/// flushes; not thread-safe.
public final class BatchSender: @unchecked Sendable {
    public struct Stats: Sendable {
        public var syscalls = 0
        public var messages = 0
        public var datagrams = 0
        public var bytes = 0
        public var wouldBlock = 0
        public var errors = 0
    }
    private let socket: UDPSocket
    public let maxMessages = 512
    /// iovecs of one batch: a message has one per datagram (at most 64 with GSO).
    private let maxIovs = 8192
    private let iovs: UnsafeMutablePointer<iovec>
    private let names: UnsafeMutablePointer<sockaddr_storage>
    // The per-message state is touched for every copy the broker sends. BatchSender is single-threaded and never
    // re-entered, so the run-time exclusivity checks Swift would make on each access (a measurable part of the
    // broker's user time at 100,000 copies/s) are turned off for these properties alone; debug builds and the
    // tests keep the static checks.
    @exclusivity(unchecked) private var iovStart: [Int32]
    @exclusivity(unchecked) private var iovCount: [Int32]
    @exclusivity(unchecked) private var lens: [Int32]
    @exclusivity(unchecked) private var addrLens: [UInt32]
    @exclusivity(unchecked) private var gso: [UInt16]
    @exclusivity(unchecked) private var iovUsed = 0
    @exclusivity(unchecked) private var count = 0
    /// The datagrams the pending iovecs point into, held until the flush (a run of messages over the same
    /// buffer holds it once).
    @exclusivity(unchecked) private var keep: [[UInt8]] = []
    @exclusivity(unchecked) private var lastKept: UnsafeRawPointer?
    @exclusivity(unchecked) public private(set) var stats = Stats()

    public init(socket: UDPSocket) {
        self.socket = socket
        iovs = .allocate(capacity: maxIovs)
        names = .allocate(capacity: maxMessages)
        iovStart = Array(repeating: 0, count: maxMessages)
        iovCount = Array(repeating: 0, count: maxMessages)
        lens = Array(repeating: 0, count: maxMessages)
        addrLens = Array(repeating: 0, count: maxMessages)
        gso = Array(repeating: 0, count: maxMessages)
        keep.reserveCapacity(maxIovs)
    }

    deinit {
        iovs.deallocate()
        names.deallocate()
    }

    /// Largest number of datagrams one GSO message may carry at this segment size (64 KB per UDP send).
    public static func maxSegments(size: Int) -> Int { max(1, min(64, 65_000 / max(size, 1))) }

    public var gsoEnabled: Bool { socket.gsoEnabled }

    /// How many datagrams, starting at `start` of `count`, go as one message: with GSO a run of equal sizes
    /// (the last may be shorter), at most `maxSegments`; without GSO one. `size(i)` is datagram i's length.
    public func messageLength(start: Int, count: Int, size: (Int) -> Int) -> Int {
        guard socket.gsoEnabled else { return 1 }
        let first = size(start)
        let maxN = Self.maxSegments(size: first)
        var n = 1
        while n < maxN && start + n < count {
            let c = size(start + n)
            if c == first { n += 1 } else if c < first { n += 1; break } else { break }
        }
        return n
    }

    /// Queues one message of `n` datagrams, `segment(0) ..< segment(n - 1)` (all the same size but the last,
    /// which may be shorter; see `messageLength`), to `to`. Returns false if the batch is full: flush first.
    public func add(segments n: Int, to: PeerAddress, _ segment: (Int) -> [UInt8]) -> Bool {
        guard n > 0, count < maxMessages, iovUsed + n <= maxIovs else { return false }
        precondition(n == 1 || socket.gsoEnabled)
        var total = 0
        var first = 0
        for j in 0..<n {
            let d = segment(j)
            // Datagrams come from the codec and are never empty; false here would mean "flush and retry" forever.
            guard let base = d.withUnsafeBytes({ $0.baseAddress }) else { preconditionFailure("empty datagram") }
            if base != lastKept {
                keep.append(d)
                lastKept = base
            }
            iovs[iovUsed + j] = iovec(iov_base: UnsafeMutableRawPointer(mutating: base), iov_len: d.count)
            if j == 0 { first = d.count }
            total += d.count
        }
        let i = count
        addrLens[i] = to.write(to: names + i)
        iovStart[i] = Int32(iovUsed)
        iovCount[i] = Int32(n)
        lens[i] = Int32(total)
        gso[i] = n > 1 ? UInt16(first) : 0
        iovUsed += n
        count += 1
        return true
    }

    /// Queues one message of `datagrams` (all the same size but the last, which may be shorter) to `to`.
    /// Returns false if the batch is full: flush first.
    public func add(_ datagrams: ArraySlice<[UInt8]>, to: PeerAddress) -> Bool {
        let s = datagrams.startIndex
        return add(segments: datagrams.count, to: to) { datagrams[s + $0] }
    }

    /// Queues one datagram to `to`. Returns false if the batch is full: flush first.
    public func add(one datagram: [UInt8], to: PeerAddress) -> Bool {
        add(segments: 1, to: to) { _ in datagram }
    }

    public var isEmpty: Bool { count == 0 }

    /// Sends everything queued; returns how many messages went (the rest would have blocked and are discarded,
    /// so callers queue only what they can afford to lose, or re-add).
    @discardableResult
    public func flush() -> Int {
        var sent = 0
        while sent < count {
            let n = iovStart.withUnsafeBufferPointer { starts in
                iovCount.withUnsafeBufferPointer { counts in
                    addrLens.withUnsafeBufferPointer { al in
                        gso.withUnsafeBufferPointer { g in
                            cwire_send_batch(
                                socket.fd, Int32(count - sent), UnsafeRawPointer(iovs), starts.baseAddress! + sent, counts.baseAddress! + sent,
                                names + sent, Int32(MemoryLayout<sockaddr_storage>.size), al.baseAddress! + sent, g.baseAddress! + sent)
                        }
                    }
                }
            }
            stats.syscalls += 1
            if n < 0 {
                if errno == EAGAIN || errno == EWOULDBLOCK {
                    stats.wouldBlock += 1
                    break
                }
                // The kernel refused this message (GSO unsupported, unreachable destination): skip it, go on.
                if (errno == EIO || errno == EINVAL) && gso[sent] != 0 { socket.disableGSO() }
                stats.errors += 1
                sent += 1
                continue
            }
            for k in sent..<sent + Int(n) {
                stats.messages += 1
                stats.datagrams += Int(iovCount[k])
                stats.bytes += Int(lens[k])
            }
            sent += Int(n)
        }
        count = 0
        iovUsed = 0
        keep.removeAll(keepingCapacity: true)
        lastKept = nil
        return sent
    }
}

extension UDPSocket {
    func disableGSO() { gsoEnabled = false }
}
