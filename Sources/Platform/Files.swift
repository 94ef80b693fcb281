import CWire

#if canImport(Glibc)
    import Glibc
#endif

/// Small file-system helpers over Glibc (the executables link no Foundation, which keeps them small and static).
public enum Files {
    public static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// Names in a directory (no `.`/`..`), or an error.
    public static func list(_ path: String) throws(SystemError) -> [String] {
        guard let dir = opendir(path) else { throw SystemError("opendir \(path)") }
        defer { closedir(dir) }
        var out: [String] = []
        while let e = readdir(dir) {
            let name = withUnsafePointer(to: e.pointee.d_name) { $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) } }
            if name != "." && name != ".." { out.append(name) }
        }
        return out
    }

    /// Reads a whole regular file, refusing anything larger than `limit` bytes. A FIFO, device or socket is
    /// refused without blocking (it is opened non-blocking and checked before any read), so a named pipe in a
    /// media folder cannot hang the producer.
    public static func read(_ path: String, limit: Int) throws(SystemError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        guard fd >= 0 else { throw SystemError("open \(path)") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw SystemError("stat \(path)") }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw SystemError("\(path) is not a regular file", EINVAL) }
        guard Int(st.st_size) <= limit else { throw SystemError("\(path) is \(st.st_size) bytes, over the limit of \(limit)", EFBIG) }
        var out = [UInt8](repeating: 0, count: Int(st.st_size))
        var off = 0
        while off < out.count {
            let n = out.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + off, $0.count - off) }
            if n < 0 {
                if errno == EINTR { continue }
                throw SystemError("read \(path)")
            }
            if n == 0 { break }
            off += n
        }
        if off < out.count { out.removeLast(out.count - off) }
        return out
    }

    public static func makeDirectories(_ path: String) throws(SystemError) {
        var current = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            current += "/" + part
            if mkdir(current, 0o755) != 0 && errno != EEXIST { throw SystemError("mkdir \(current)") }
        }
    }

    /// Writes a file atomically (temporary name, then rename), so readers never see half a frame.
    public static func write(_ path: String, _ bytes: [UInt8]) throws(SystemError) {
        let tmp = path + ".part"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw SystemError("open \(tmp)") }
        var off = 0
        while off < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + off, $0.count - off) }
            if n < 0 {
                if errno == EINTR { continue }
                let e = SystemError("write \(tmp)")
                close(fd)
                unlink(tmp)
                throw e
            }
            off += n
        }
        close(fd)
        guard rename(tmp, path) == 0 else { throw SystemError("rename \(path)") }
    }

    /// Whether anything exists at `path` (a file, a folder, a dangling name is not).
    public static func exists(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0
    }

    public static func isTerminal(_ fd: Int32) -> Bool { isatty(fd) == 1 }
}

extension Files {
    /// Removes a file; true when it was removed.
    public static func remove(_ path: String) -> Bool { unlink(path) == 0 }

    /// The first `count` bytes of a regular file (fewer when it is shorter).
    public static func readPrefix(_ path: String, count: Int) throws(SystemError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        guard fd >= 0 else { throw SystemError("open \(path)") }
        defer { close(fd) }
        var out = [UInt8](repeating: 0, count: count)
        let n = out.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, count, 0) }
        guard n >= 0 else { throw SystemError("read \(path)") }
        out.removeLast(count - n)
        return out
    }
}
