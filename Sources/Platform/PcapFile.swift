import Capture
import Wire

#if canImport(Glibc)
    import Glibc
#endif

/// Writes what a socket sends and receives as a pcap file (`PcapFormat`), bounded in size: when the next record
/// would take the file past `maxBytes`, it is renamed to `path.1` (replacing an older one) and a new file is
/// started, so the capture never takes more than twice `maxBytes` on disk. Records are buffered and written when
/// `bufferBytes` are pending and on `flush()` (the broker calls it once per turn, so a crash loses at most one
/// turn). A write error stops the capture (counted in `failed`) instead of the broker.
public final class PcapFile {
    public let path: String
    public let maxBytes: Int
    /// Bytes buffered before a write.
    public static let bufferBytes = 256 * 1024
    private var fd: Int32
    private var fileBytes = 0
    private var pending: [UInt8] = []
    private var ipID: UInt16 = 0
    public private(set) var records = 0
    public private(set) var rotations = 0
    public private(set) var failed: SystemError?

    /// Creates (or truncates) `path` and writes the file header.
    public init(path: String, maxBytes: Int) throws(SystemError) {
        precondition(maxBytes >= 1 << 16, "a capture file must hold at least one largest packet")
        self.path = path
        self.maxBytes = maxBytes
        fd = try Self.create(path)
        pending = PcapFormat.fileHeader()
        fileBytes = pending.count
        pending.reserveCapacity(Self.bufferBytes + 70_000)
    }

    deinit {
        flush()
        if fd >= 0 { close(fd) }
    }

    public var isOpen: Bool { failed == nil }

    /// Records one datagram `from` -> `to` at wall time `wallMicros`.
    public func record(_ payload: [UInt8], from: PeerAddress, to: PeerAddress, wallMicros: UInt64) {
        payload.withUnsafeBytes { record($0, from: from, to: to, wallMicros: wallMicros) }
    }

    public func record(_ payload: UnsafeRawBufferPointer, from: PeerAddress, to: PeerAddress, wallMicros: UInt64) {
        guard failed == nil, from.isIPv6 == to.isIPv6 else { return }
        ipID &+= 1
        let size = PcapFormat.recordHeaderLength + min((from.isIPv6 ? 48 : 28) + payload.count, PcapFormat.snapLength)
        if fileBytes + size > maxBytes { rotate() }
        guard failed == nil else { return }
        PcapFormat.appendRecord(payload, from: from, to: to, wallMicros: wallMicros, ipID: ipID, to: &pending)
        fileBytes += size
        records += 1
        if pending.count >= Self.bufferBytes { flush() }
    }

    /// Writes what is buffered.
    public func flush() {
        guard failed == nil, !pending.isEmpty else { return }
        var off = 0
        while off < pending.count {
            let n = pending.withUnsafeBytes { write(fd, $0.baseAddress! + off, $0.count - off) }
            if n < 0 {
                if errno == EINTR { continue }
                stop(SystemError("write \(path)"))
                return
            }
            off += n
        }
        pending.removeAll(keepingCapacity: true)
    }

    /// The current file becomes `path.1`; a new one starts with its own header.
    private func rotate() {
        flush()
        guard failed == nil else { return }
        close(fd)
        fd = -1
        guard rename(path, path + ".1") == 0 else { return stop(SystemError("rename \(path) to \(path).1")) }
        do { fd = try Self.create(path) } catch { return stop(error) }
        rotations += 1
        pending = PcapFormat.fileHeader()
        fileBytes = pending.count
    }

    private func stop(_ e: SystemError) {
        failed = e
        pending = []
        if fd >= 0 { close(fd) }
        fd = -1
    }

    private static func create(_ path: String) throws(SystemError) -> Int32 {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw SystemError("open \(path)") }
        return fd
    }
}
