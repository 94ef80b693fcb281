/// Icecast's in-band metadata ("ICY"): a client that asks with `Icy-MetaData: 1` is told `icy-metaint: N` and then
/// gets a metadata block after every N bytes of audio. A block is one length byte L followed by 16 × L bytes of
/// text (`StreamTitle='…';`, NUL-padded); L = 0 is an empty block, which repeats the last title.
///
/// One interleaver per reader: it cuts each audio chunk into slices of the shared chunk (never copied) with the
/// blocks between them, and counts across chunks, so a chunk refused for a slow reader must simply not be passed.
public struct ICYInterleaver: Sendable {
    /// Audio bytes between two blocks. 16,000 is what Icecast sends by default.
    public let metaint: Int
    /// Audio bytes still to send before the next block.
    public private(set) var untilBlock: Int
    /// The title last sent in a block; a block with no change is empty.
    private var sentTitle: String?

    public init(metaint: Int = 16_000) {
        precondition(metaint > 0, "metaint must be positive")
        self.metaint = metaint
        untilBlock = metaint
    }

    /// The longest title a block can hold (255 × 16 bytes, less the `StreamTitle='';` around it).
    public static let maxTitleBytes = 255 * 16 - 15

    /// The pieces that carry `audio` to this reader, blocks included, with `title` as the stream's title.
    public mutating func pieces(_ audio: ArraySlice<UInt8>, title: String) -> [ArraySlice<UInt8>] {
        var out: [ArraySlice<UInt8>] = []
        var rest = audio
        while rest.count >= untilBlock {
            let cut = rest.startIndex + untilBlock
            if untilBlock > 0 { out.append(rest[..<cut]) }
            out.append(block(title: title)[...])
            rest = rest[cut...]
            untilBlock = metaint
        }
        if !rest.isEmpty {
            out.append(rest)
            untilBlock -= rest.count
        }
        return out
    }

    /// The next block: the title when it changed (or was never sent), otherwise the empty block.
    mutating func block(title: String) -> [UInt8] {
        guard title != sentTitle else { return [0] }
        sentTitle = title
        return Self.block(title: title)
    }

    /// A metadata block carrying `title`; quotes and control bytes are replaced, the text is cut to fit.
    public static func block(title: String) -> [UInt8] {
        var text = Array(title.utf8.map { $0 == UInt8(ascii: "'") || $0 < 0x20 ? UInt8(ascii: " ") : $0 })
        if text.count > maxTitleBytes { text = Array(text.prefix(maxTitleBytes)) }
        let body = Array("StreamTitle='".utf8) + text + Array("';".utf8)
        let units = (body.count + 15) / 16
        return [UInt8(units)] + body + [UInt8](repeating: 0, count: units * 16 - body.count)
    }
}
