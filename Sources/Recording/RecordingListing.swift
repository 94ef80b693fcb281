/// The JSON of a recordings listing (for `GET /recordings.json`): per file its producer, name, path, start, size,
/// duration (null while it is being written or when a crash cut it short) and whether it is being written now.
/// Names reach it only through `RecordingIndex`, which lists what `RecordingName` accepts, so nothing here needs
/// more escaping than a JSON string's.
public enum RecordingListing {
    /// `{"recordings":[{...},...]}`, in the order given.
    public static func json(_ entries: [RecordingEntry], open: Set<String> = []) -> String {
        let items = entries.map { e in
            "{\"producer\":\(quote(e.producer.description)),\"file\":\(quote(e.file)),\"path\":\(quote(e.path)),"
                + "\"start\":\(quote(RecordingName.iso8601(e.startMicros))),\"startMicros\":\(e.startMicros),\"bytes\":\(e.bytes),"
                + "\"durationMs\":\(e.durationMillis.map { String(Int64($0.rounded())) } ?? "null"),\"recording\":\(open.contains(e.path))}"
        }
        return "{\"recordings\":[" + items.joined(separator: ",") + "]}"
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where u.value < 0x20: out += "\\u00" + (u.value < 0x10 ? "0" : "") + String(u.value, radix: 16)
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }
}
