import Config
import Wire

/// One entry of the PRODUCERS setting: `ID[:RATE[:DELAY[:KEY]]][@FRAMES[@AUDIO]]`.
public struct ProducerListEntry: Equatable, Sendable {
    public var id: ProducerID
    public var rate: Double
    public var delay: Double
    /// The id's stream key (32 hex digits in the setting), if the entry gives one.
    public var key: [UInt8]? = nil
    /// FRAMES and AUDIO of this producer as given after `@` (a folder, a file or FIFO, `-`, an http:// URL);
    /// nil: MEDIA_ROOT/ID/frames and MEDIA_ROOT/ID/audio.
    public var frames: String? = nil
    public var audio: String? = nil
}

public enum ProducerList {
    /// Parses `1AAA99:12:0,2BBB77:24:2@-,3CCC55@http://cam/video.mjpg@http://radio:8000/live`; a missing rate or
    /// delay takes the default. `@` cannot be part of a source (URLs with user info are refused anyway), nor `,`.
    /// Errors name the entry.
    public static func parse(_ text: String, setting: String, defaultRate: Double, defaultDelay: Double) throws(SettingsError) -> [ProducerListEntry]
    {
        var out: [ProducerListEntry] = []
        for raw in text.split(separator: ",") {
            let whole = raw.filter { $0 != " " }
            if whole.isEmpty { continue }
            let sources = whole.split(separator: "@", omittingEmptySubsequences: false)
            guard sources.count <= 3, sources.dropFirst().allSatisfy({ !$0.isEmpty }) else {
                throw SettingsError(setting: setting, message: "'\(whole)': give at most FRAMES and AUDIO after @, each non-empty (ID@FRAMES@AUDIO)")
            }
            let item = sources[0]
            let parts = item.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count <= 4, let id = ProducerID(hex: parts[0].uppercased()), id.rawValue != 0 else {
                throw SettingsError(setting: setting, message: "'\(item)' is not ID[:RATE[:DELAY[:KEY]]] with a 6-hex-digit ID (for example 1AAA99:12:0)")
            }
            var rate = defaultRate
            if parts.count > 1, !parts[1].isEmpty {
                guard let r = Double(parts[1]), r.isFinite, r >= 0.1, r <= 1000 else {
                    throw SettingsError(setting: setting, message: "rate '\(parts[1])' of \(id) is not a number of frames per second in 0.1...1000")
                }
                rate = r
            }
            var delay = defaultDelay
            if parts.count > 2, !parts[2].isEmpty {
                guard let d = Double(parts[2]), d.isFinite, d >= 0, d <= 86_400 else {
                    throw SettingsError(setting: setting, message: "delay '\(parts[2])' of \(id) is not a number of seconds in 0...86400")
                }
                delay = d
            }
            var key: [UInt8]?
            if parts.count > 3, !parts[3].isEmpty {
                guard let k = StreamKeys.parse(hex: String(parts[3])) else {
                    throw SettingsError(setting: setting, message: "the key of \(id) is not 32 hex digits (broker --issue-key \(id) prints it)")
                }
                key = k
            }
            guard !out.contains(where: { $0.id == id }) else { throw SettingsError(setting: setting, message: "\(id) is listed twice") }
            out.append(
                ProducerListEntry(
                    id: id, rate: rate, delay: delay, key: key, frames: sources.count > 1 ? String(sources[1]) : nil,
                    audio: sources.count > 2 ? String(sources[2]) : nil))
        }
        guard !out.isEmpty else { throw SettingsError(setting: setting, message: "lists no producer") }
        return out
    }
}
