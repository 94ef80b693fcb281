import Wire

/// The block list as the broker keeps it on disk (`STATE_DIR/blocks`): text, one decision per line, so an operator
/// can read it and a damaged line costs that line only.
///
///     # vbroker blocks v1
///     blocked 1AAA99 0000000000010203
///     unblocked 1BBB00 0000000000020203
///
/// The id is 6 hex digits, the stamp 16 (`PeerBlockEntry.stamp`): restored as they were, so decisions made while
/// this broker was down still win or lose against them as they would have.
public enum BlockFile {
    public static let header = "# vbroker blocks v1"
    public static let name = "blocks"
    /// The largest file read (every entry the list can hold, with room to spare): a bigger one is refused whole.
    public static let maxBytes = 64 * (BlockList.maxBlocked + BlockList.maxUnblocked) + 64

    /// A line that could not be read, for the warning.
    public struct Problem: Equatable, Sendable, CustomStringConvertible {
        public var line: Int
        public var text: String
        public var description: String { "line \(line): \(text)" }
    }

    public static func encode(_ entries: [PeerBlockEntry]) -> String {
        var out = header + "\n"
        for e in entries {
            out += "\(e.blocked ? "blocked" : "unblocked") \(e.producer) \(stampText(e.stamp))\n"
        }
        return out
    }

    /// The entries of a file, and the lines that are not entries (a file without the header is refused whole).
    public static func decode(_ text: String) -> (entries: [PeerBlockEntry], problems: [Problem]) {
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        guard lines.first.map({ trimmed($0) == header }) == true else {
            return ([], [Problem(line: 1, text: "not a block list (the first line is not \"\(header)\")")])
        }
        var entries: [PeerBlockEntry] = []
        var problems: [Problem] = []
        for (i, raw) in lines.enumerated().dropFirst() {
            let line = trimmed(raw)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if let e = entry(line) {
                entries.append(e)
            } else {
                problems.append(Problem(line: i + 1, text: "expected \"blocked|unblocked ID6HEX STAMP16HEX\", found \"\(line.prefix(80))\""))
            }
        }
        return (entries, problems)
    }

    private static func stampText(_ v: UInt64) -> String {
        let digits = String(v, radix: 16, uppercase: true)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    private static func trimmed(_ s: Substring) -> Substring {
        let t = s.drop { $0 == " " || $0 == "\t" || $0 == "\r" }
        return t.dropLast(t.reversed().prefix { $0 == " " || $0 == "\t" || $0 == "\r" }.count)
    }

    private static func entry(_ line: Substring) -> PeerBlockEntry? {
        let f = line.split(separator: " ", omittingEmptySubsequences: true)
        guard f.count == 3, f[0] == "blocked" || f[0] == "unblocked", let id = ProducerID(hex: f[1]), id.rawValue != 0,
            f[2].count == 16, f[2].allSatisfy(\.isHexDigit), let stamp = UInt64(f[2], radix: 16)
        else { return nil }
        return PeerBlockEntry(producer: id, blocked: f[0] == "blocked", stamp: stamp)
    }
}
