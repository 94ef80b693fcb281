/// Builds JSON text by appending: objects and arrays are opened and closed by the caller, commas are placed
/// here. Strings are escaped per RFC 8259 (quote, backslash, control characters); non-finite numbers become
/// null, since JSON has no NaN or infinity.
public struct JSONWriter: Sendable {
    public private(set) var text = ""
    /// Per open container: whether it has a member yet (so the next one needs a comma).
    private var hasMember: [Bool] = []
    /// True right after a key, so the value that follows takes no comma.
    private var afterKey = false

    public init() {}

    public mutating func beginObject(_ key: String? = nil) { open("{", key) }
    public mutating func endObject() { close("}") }
    public mutating func beginArray(_ key: String? = nil) { open("[", key) }
    public mutating func endArray() { close("]") }

    public mutating func string(_ key: String? = nil, _ value: String?) {
        guard let value else { return null(key) }
        separate(key)
        Self.quote(value, into: &text)
    }

    public mutating func int(_ key: String? = nil, _ value: Int) {
        separate(key)
        text += String(value)
    }

    public mutating func int64(_ key: String? = nil, _ value: Int64) {
        separate(key)
        text += String(value)
    }

    public mutating func double(_ key: String? = nil, _ value: Double) {
        guard value.isFinite else { return null(key) }
        separate(key)
        // Whole numbers without a fraction; others with enough digits to read back, not a 17-digit tail.
        if value == value.rounded() && abs(value) < 1e15 { text += String(Int64(value)) } else { text += String(value) }
    }

    public mutating func bool(_ key: String? = nil, _ value: Bool) {
        separate(key)
        text += value ? "true" : "false"
    }

    public mutating func null(_ key: String? = nil) {
        separate(key)
        text += "null"
    }

    private mutating func open(_ bracket: Character, _ key: String?) {
        separate(key)
        text.append(bracket)
        hasMember.append(false)
    }

    private mutating func close(_ bracket: Character) {
        precondition(!hasMember.isEmpty, "JSONWriter: \(bracket) without an open container")
        hasMember.removeLast()
        text.append(bracket)
    }

    /// The comma before a member and its key; a key inside an array, or none inside an object, is our bug.
    private mutating func separate(_ key: String?) {
        if let last = hasMember.last {
            if last { text.append(",") }
            hasMember[hasMember.count - 1] = true
        }
        if let key {
            Self.quote(key, into: &text)
            text.append(":")
        }
    }

    static func quote(_ s: String, into out: inout String) {
        out.append("\"")
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            // < and > too, so a value can never close a <script> when the JSON is inlined in HTML.
            case "<": out += "\\u003c"
            case ">": out += "\\u003e"
            default:
                if u.value < 0x20 || u.value == 0x2028 || u.value == 0x2029 {
                    let hex = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        out.append("\"")
    }
}
