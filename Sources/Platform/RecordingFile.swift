import Matroska
import Recording
import Wire

#if canImport(Glibc)
    import Glibc
#endif

/// One recording file being written: created exclusively (an existing file is never opened again, so a restart
/// after a crash starts a new one), appended to, patched in place, synced. A failed append is cut back to the
/// last whole write, so the file stays valid up to its last whole frame.
final class RecordingFile {
    let path: String
    /// `<ID>/<file>`, relative to the recordings folder.
    let relativePath: String
    private var fd: Int32
    private(set) var length = 0
    /// Monotonic time of the first write not yet synced; nil when everything is on the disk.
    private(set) var dirtySince: Int64?

    /// Attempts at a free name for one start second (`-2`, `-3`, ...), beyond which creating fails.
    static let nameAttempts = 100

    private init(path: String, relativePath: String, fd: Int32) {
        self.path = path
        self.relativePath = relativePath
        self.fd = fd
    }

    /// A new file `<root>/<ID>/<UTC start>.mkv`, and the folder made durable so the name survives a power cut.
    static func create(root: String, producer: ProducerID, startMicros: UInt64) throws(SystemError) -> RecordingFile {
        let dir = root + "/" + RecordingName.directory(producer)
        try Files.makeDirectories(dir)
        for attempt in 1...nameAttempts {
            let name = RecordingName.fileName(startMicros: startMicros, attempt: attempt)
            let path = dir + "/" + name
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            if fd < 0 && errno == EEXIST { continue }
            guard fd >= 0 else { throw SystemError("open \(path)") }
            syncDirectory(dir)
            return RecordingFile(path: path, relativePath: RecordingName.directory(producer) + "/" + name, fd: fd)
        }
        throw SystemError("open \(dir): \(nameAttempts) files start in the same second", EEXIST)
    }

    static func syncDirectory(_ dir: String) {
        let d = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard d >= 0 else { return }
        _ = fsync(d)
        Glibc.close(d)
    }

    func append(_ bytes: [UInt8], now: Int64) throws(SystemError) {
        var off = 0
        while off < bytes.count {
            let n = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress! + off, $0.count - off, off_t(length + off)) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 {
                let e = SystemError("write \(path)", n < 0 ? errno : ENOSPC)
                _ = ftruncate(fd, off_t(length))  // no half frame at the end
                throw e
            }
            off += n
        }
        length += bytes.count
        if dirtySince == nil { dirtySince = now }
    }

    func patch(_ bytes: [UInt8], at offset: Int, now: Int64) throws(SystemError) {
        precondition(offset + bytes.count <= length, "a patch past the end")
        let n = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress!, $0.count, off_t(offset)) }
        guard n == bytes.count else { throw SystemError("write \(path)", n < 0 ? errno : EIO) }
        if dirtySince == nil { dirtySince = now }
    }

    func sync() {
        guard fd >= 0, dirtySince != nil else { return }
        _ = fsync(fd)
        dirtySince = nil
    }

    /// Syncs and closes.
    func close() {
        guard fd >= 0 else { return }
        sync()
        Glibc.close(fd)
        fd = -1
    }

    /// Closes and removes a file that holds no frame (its header could not be written whole).
    func discard() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
        unlink(path)
    }
}
