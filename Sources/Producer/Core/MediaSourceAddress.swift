import Config

/// Where a producer's FRAMES or AUDIO come from, as the setting names it.
public enum MediaSourceAddress: Equatable, Sendable {
    /// A folder of numbered files, sent in a loop at RATE (`frame1.jpg`..., `audio1.mp3`...).
    case folder(String)
    /// `-`: the producer's standard input, a live byte stream.
    case standardInput
    /// The path of a FIFO or a growing file carrying a live byte stream.
    case file(String)
    /// An `http://` URL: MJPEG over HTTP for frames, an Icecast/HTTP MP3 stream for audio.
    case http(HTTPSourceURL)

    /// Whether the source is a live byte stream (sent as it arrives) rather than a folder.
    public var isLive: Bool {
        if case .folder = self { return false }
        return true
    }

    /// Reads a FRAMES or AUDIO value. `isDirectory` and `exists` come from the app (this module does no I/O).
    public static func parse(
        _ text: String, setting: String, isDirectory: (String) -> Bool, exists: (String) -> Bool
    ) throws(SettingsError) -> MediaSourceAddress {
        let value = text.trimmingSpaces
        if value == "-" { return .standardInput }
        let lower = value.lowercased()
        if lower.hasPrefix("https://") {
            throw SettingsError(
                setting: setting,
                message: "'\(value)': https sources are not supported; put a reverse proxy that speaks https to the source in front "
                    + "and give its http:// address, or let ffmpeg read it: ffmpeg -i '\(value)' -c copy -f mjpeg - | producer ... FRAMES=-")
        }
        if lower.hasPrefix("http://") {
            switch HTTPSourceURL.parse(value) {
            case .success(let url): return .http(url)
            case .failure(let reason): throw SettingsError(setting: setting, message: "'\(value)' is not a usable http:// URL: \(reason.text)")
            }
        }
        if lower.contains("://") {
            throw SettingsError(setting: setting, message: "'\(value)': only folders, files, FIFOs, - (standard input) and http:// URLs are sources")
        }
        if isDirectory(value) { return .folder(value) }
        guard exists(value) else {
            throw SettingsError(setting: setting, message: "'\(value)' is neither a folder, a file nor a FIFO (mkfifo it, or create the folder)")
        }
        return .file(value)
    }
}
