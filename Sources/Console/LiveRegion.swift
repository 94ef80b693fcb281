/// The bottom of an interactive terminal: the status lines (one per stream) and the prompt with what is being
/// typed, redrawn in place like a progress bar. Everything else (answers, notices) is printed above it, so it
/// scrolls up while the status lines and the prompt stay below. Pure: it returns the text with the ANSI escape
/// sequences (CR, cursor up `ESC[nA`, erase to the end of the screen `ESC[J`) the app writes to stdout.
public struct LiveRegion: Sendable {
    public var statusLines: [String] = []
    public var prompt = "> "
    /// Terminal rows the region occupies on screen now (0: not drawn).
    public private(set) var drawnRows = 0

    public init() {}

    /// Erases the region drawn last, leaving the cursor at the start of its first row.
    public mutating func erase() -> String {
        defer { drawnRows = 0 }
        guard drawnRows > 0 else { return "\r\u{1b}[J" }
        return "\r" + (drawnRows > 1 ? "\u{1b}[\(drawnRows - 1)A" : "") + "\u{1b}[J"
    }

    /// Erases and draws the region again: the status lines, each cut to the width so none wraps, then the
    /// prompt and `input`, the cursor after it.
    public mutating func redraw(input: String, columns: Int) -> String {
        let width = max(columns, 10)
        var s = erase()
        for line in statusLines { s += Self.cut(line, to: width - 1) + "\r\n" }
        let last = prompt + input
        s += last
        drawnRows = statusLines.count + Self.rows(of: last.count, width: width)
        return s
    }

    /// Prints `text` above the region: erase, the text, then the region again.
    public mutating func print(_ text: String, input: String, columns: Int) -> String {
        let body = text.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\r\n")
        return erase() + body + "\r\n" + redraw(input: input, columns: columns)
    }

    /// Rows a line of `length` characters takes, the cursor after it (at the right edge it stays on the row).
    static func rows(of length: Int, width: Int) -> Int { max(1, (max(length, 1) + width - 1) / width) }

    static func cut(_ line: String, to width: Int) -> String {
        line.count <= width ? line : String(line.prefix(max(width - 1, 0))) + "…"
    }
}
