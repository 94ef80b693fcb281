import CWire
import Wire

#if canImport(Glibc)
    import Glibc
#endif

/// Sends many datagrams to many destinations in as few system calls as possible: consecutive datagrams to the
/// same destination go as one UDP GSO message (segments of equal size, the last may be shorter), and the
/// messages go in one sendmmsg. Nothing is copied: each message's iovecs point at the datagrams' own storage,
/// which the sender keeps alive until the flush, so one datagram fanned out to a hundred subscribers is a
/// hundred iovecs over one buffer (as in the reference forwarder), not a hundred copies of it. Reused across
/// flushes; not thread-safe.
public final class BatchSender: DatagramBatch, @unchecked Sendable {
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
    /// Called with each datagram of each message the kernel took (a GSO message split into its datagrams) and its
    /// destination, after the send: `broker --capture` records them. nil (the default) costs one check per flush.
    public var tap: ((UnsafeRawBufferPointer, PeerAddress) -> Void)?

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
    public static func maxSegments(size: Int) -> Int { max(1, min(maxGSOSegments, maxGSOBytes / max(size, 1))) }
    /// The kernel's bound on segments in one UDP GSO send (UDP_MAX_SEGMENTS).
    public static let maxGSOSegments = 64
    /// Payload bytes of one GSO send: under the 64 KB of one IP datagram with its headers.
    public static let maxGSOBytes = 65_000

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
            if c == first {
                n += 1
            } else if c < first {
                n += 1
                break
            } else {
                break
            }
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
    /// Sends `datagrams` to one peer now, runs of equal size as GSO messages (a frame's chunks), flushing as the
    /// batch fills.
    public func sendAll(_ datagrams: [[UInt8]], to: PeerAddress) {
        var i = 0
        while i < datagrams.count {
            let n = messageLength(start: i, count: datagrams.count) { datagrams[$0].count }
            if !add(datagrams[i..<i + n], to: to) {
                flush()
                continue
            }
            i += n
        }
        flush()
    }

    public func add(one datagram: [UInt8], to: PeerAddress) -> Bool {
        add(segments: 1, to: to) { _ in datagram }
    }

    public var isEmpty: Bool { count == 0 }

    /// Hands each datagram of the messages in `range` to `tap`: the iovecs are the datagrams, one per segment.
    private func tapSent(_ range: Range<Int>, _ tap: (UnsafeRawBufferPointer, PeerAddress) -> Void) {
        for k in range {
            guard let to = PeerAddress(sockaddr: UnsafeRawPointer(names + k), length: addrLens[k]) else { continue }
            for j in Int(iovStart[k])..<Int(iovStart[k] + iovCount[k]) {
                tap(UnsafeRawBufferPointer(start: iovs[j].iov_base, count: iovs[j].iov_len), to)
            }
        }
    }

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
            if let tap { tapSent(sent..<sent + Int(n), tap) }
            sent += Int(n)
        }
        count = 0
        iovUsed = 0
        keep.removeAll(keepingCapacity: true)
        lastKept = nil
        return sent
    }
}
