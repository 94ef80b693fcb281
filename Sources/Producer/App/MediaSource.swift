import Config
import Platform
import ProducerCore
import Wire

/// The numbered files of one media folder (`frame1.jpg`, `frame2.jpg`, ... or `audio1.mp3`, ...), in numeric
/// order, re-read when the producer reaches the end so files added while it runs are picked up.
struct MediaFolder {
    let path: String
    let prefix: String
    let suffix: String
    private(set) var files: [String] = []
    private var position = 0
    /// Files already warned about, so a bad file in a looping folder is reported once, not every loop.
    private var warned: Set<String> = []
    let log: Logger

    init(path: String, prefix: String, suffix: String, log: Logger) {
        self.path = path
        self.prefix = prefix
        self.suffix = suffix
        self.log = log
    }

    /// Lists the folder again. Returns the number of files found.
    @discardableResult
    mutating func rescan() -> Int {
        do {
            let names = try Files.list(path)
            var numbered: [(Int, String)] = []
            for n in names where n.hasPrefix(prefix) && n.hasSuffix(suffix) {
                let middle = n.dropFirst(prefix.count).dropLast(suffix.count)
                if let k = Int(middle), k >= 0 { numbered.append((k, n)) }
            }
            numbered.sort { $0.0 < $1.0 }
            let before = files.count
            files = numbered.map { "\(path)/\($0.1)" }
            if files.count != before { log.info("\(path): \(files.count) \(suffix) files") }
        } catch {
            log.warning("cannot list \(path): \(error)")
            files = []
        }
        if position > files.count { position = 0 }
        return files.count
    }

    /// The next file's bytes, looping at the end; skips unreadable files with a warning. nil if none can be read.
    mutating func next(limit: Int) -> [UInt8]? {
        var tries = 0
        while tries <= files.count {
            if position >= files.count {
                rescan()
                position = 0
                if files.isEmpty { return nil }
            }
            let f = files[position]
            position += 1
            tries += 1
            do {
                let bytes = try Files.read(f, limit: limit)
                if bytes.isEmpty {
                    warnOnce(f, "\(f) is empty; skipped")
                    continue
                }
                return bytes
            } catch {
                warnOnce(f, "cannot read \(f): \(error); skipped")
            }
        }
        return nil
    }

    private mutating func warnOnce(_ file: String, _ message: String) {
        if warned.insert(file).inserted { log.warning(message + " (said once per file)") }
    }
}
