import Matroska
import Recording
import Wire

#if canImport(Glibc)
    import Glibc
#endif

/// Lists the recordings under a folder: per producer folder (6 hex digits), every file named as the recorder names
/// them, with its start, size and (for finished files) duration. Anything else in the folder is ignored, so the
/// listing never names a path that `RecordingName.validatedPath` would refuse.
public enum RecordingIndex {
    /// Every recording, oldest first within each producer, producers in id order.
    public static func scan(_ root: String) -> [RecordingEntry] {
        guard let producers = try? Files.list(root) else { return [] }
        var out: [RecordingEntry] = []
        for p in producers.sorted() {
            guard let id = ProducerID(hex: p), p == id.description, let files = try? Files.list(root + "/" + p) else { continue }
            for f in files.sorted() {
                guard let start = RecordingName.startMicros(ofFile: f), let size = fileSize(root + "/" + p + "/" + f) else { continue }
                out.append(RecordingEntry(producer: id, file: f, startMicros: start, bytes: size))
            }
        }
        return out
    }

    /// `scan` with each file's Duration read from its header (a small read per file: for listings, not for loops).
    public static func scanWithDurations(_ root: String) -> [RecordingEntry] {
        scan(root).map { e in
            var e = e
            if let head = try? Files.readPrefix(root + "/" + e.path, count: MatroskaDurationReader.headerBytes) {
                e.durationMillis = MatroskaDurationReader.durationMillis(head)
            }
            return e
        }
    }

    static func fileSize(_ path: String) -> Int64? {
        var st = stat()
        guard lstat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int64(st.st_size)
    }
}
