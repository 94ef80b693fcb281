/// Where a publish page stands, as the page shows it (`data-state`) and the gateway tells it, in JSON:
/// `{"state":"live","message":"…"}`.
public enum PublishState: String, Sendable, CaseIterable {
    case idle, connecting, live, refused, error

    /// The message for the page. `message` must not hold the stream key (the gateway never puts it there).
    public func json(_ message: String) -> String {
        "{\"state\":\"\(rawValue)\",\"message\":" + Self.quote(message) + "}"
    }

    /// A JSON string literal.
    static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where u.value < 0x20:
                let h = String(u.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - h.count) + h
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }
}
