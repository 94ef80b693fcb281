/// The prompt's line editing when the client reads a terminal byte by byte (no echo from the terminal): it
/// keeps what has been typed so a redraw can show it again. Printable characters append, Backspace deletes
/// one character, Ctrl-U clears, Enter submits, Ctrl-D on an empty line ends the input; escape sequences
/// (arrow keys) are skipped. Pure: bytes in, events out.
public struct LineEditor: Sendable {
    public enum Event: Equatable, Sendable {
        /// Enter: the line typed (possibly empty).
        case line(String)
        /// Ctrl-D on an empty line.
        case endOfInput
    }

    /// Longest line kept; further characters are ignored (a paste cannot grow the buffer without bound).
    public static let maxLineBytes = 1024

    public private(set) var text = ""
    private var escape: [UInt8]?
    private var partial: [UInt8] = []  // an incomplete UTF-8 sequence

    public init() {}

    /// Feeds typed bytes; returns the lines submitted and the end of input, in order.
    public mutating func feed(_ bytes: [UInt8]) -> [Event] {
        var out: [Event] = []
        for b in bytes {
            if var e = escape {
                e.append(b)
                // ESC [ params final (0x40...0x7E), or ESC and one other byte.
                let done = e.count == 2 ? b != UInt8(ascii: "[") && b != UInt8(ascii: "O") : (0x40...0x7E).contains(b)
                escape = done || e.count > 16 ? nil : e
                continue
            }
            switch b {
            case 13, 10:
                out.append(.line(text))
                text = ""
            case 4:
                if text.isEmpty { out.append(.endOfInput) }
            case 127, 8:
                if !text.isEmpty { text.removeLast() }
            case 21: text = ""
            case 27: escape = [b]
            case 0..<32: break
            default: append(b)
            }
        }
        return out
    }

    private mutating func append(_ b: UInt8) {
        partial.append(b)
        let need = partial[0] < 0x80 ? 1 : partial[0] >= 0xF0 ? 4 : partial[0] >= 0xE0 ? 3 : 2
        guard partial.count >= need else { return }
        defer { partial = [] }
        guard text.utf8.count + partial.count <= Self.maxLineBytes else { return }
        text += String(decoding: partial, as: UTF8.self)
    }
}
