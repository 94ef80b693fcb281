import ClientCore
import Wire

/// What the client sends its web page over the WebSocket (docs/VIEWER.md): each complete frame as one binary
/// message with a fixed 17-byte header, everything else as small JSON texts. Pure, so the format is tested here
/// and the page reads exactly this.
public enum ViewerMessage {
    /// The first byte of a media message; other values are reserved.
    public static let mediaType: UInt8 = 1
    /// Type (1), stream id (4), frame number (4), capture time in µs since the Unix epoch (8), all big-endian.
    public static let mediaHeaderBytes = 17

    /// One complete frame or audio chunk, bytes untouched.
    public static func media(_ f: CompleteFrame) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(mediaHeaderBytes + f.bytes.count)
        out.append(mediaType)
        for s in stride(from: 24, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: f.stream.rawValue >> UInt32(s))) }
        for s in stride(from: 24, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: f.number >> UInt32(s))) }
        for s in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: f.captureTime >> UInt64(s))) }
        out += f.bytes
        return out
    }

    /// The client's subscriptions and link, sent on every change: the page shows a tile per subscribed producer.
    public static func state(broker: String, connected: Bool, subscriptions: [StreamID]) -> String {
        let ids = subscriptions.sorted().map { quote($0.description) }.joined(separator: ",")
        return "{\"type\":\"state\",\"broker\":\(quote(broker)),\"connected\":\(connected),\"subscriptions\":[\(ids)]}"
    }

    /// The broker's answer to LIST.
    public static func list(broker: String, _ entries: [ListEntry]) -> String {
        let streams = entries.sorted { $0.stream < $1.stream }.map {
            "{\"id\":\(quote($0.stream.description)),\"kind\":\(quote($0.stream.kind?.description ?? "other")),"
                + "\"fps\":\(Double($0.rateMilli) / 1000),\"state\":\(quote($0.state.description)),\"subscribers\":\($0.subscribers),"
                + "\"origin\":\(quote($0.origin == 0 ? "" : ProducerID(rawValue: $0.origin)!.description))}"
        }
        return "{\"type\":\"list\",\"broker\":\(quote(broker)),\"streams\":[\(streams.joined(separator: ","))]}"
    }

    /// A line the prompt printed, so the page shows what was done at the prompt (and the answers to its own).
    public static func say(_ text: String) -> String { "{\"type\":\"say\",\"text\":\(quote(text))}" }

    /// Per-stream receive figures of the client (the page adds its own: paint rate, latency to the screen).
    public static func figures(_ rows: [(StreamID, ReceiveStats, tabDropped: Int)]) -> String {
        let items = rows.map { id, s, tabDropped in
            "\(quote(id.description)):{\"complete\":\(s.frames.delivered),\"dropped\":\(s.frames.dropped),\"lost\":\(s.loss.lost),"
                + "\"recovered\":\(s.loss.recovered),\"tabDropped\":\(tabDropped)}"
        }
        return "{\"type\":\"figures\",\"streams\":{\(items.joined(separator: ","))}}"
    }

    /// A JSON string literal (RFC 8259 §7): quotes, backslashes and control characters escaped.
    public static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where u.value < 0x20:
                let h = String(u.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - h.count) + h
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }
}
