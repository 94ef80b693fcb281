/// What a tab may ask of its replays (docs/VIEWER.md, "Replay"): `replay open <ID>/<file>`,
/// `replay <n> seek <ms>`, `replay <n> play|pause|close`, `replay <n> speed 1|2`. Every field is checked here;
/// the path only through `RecordingName.validatedPath` (by the caller, which owns the folder).
public enum ReplayCommand: Equatable, Sendable {
    case open(producer: String, file: String)
    case seek(Int, millis: Int64)
    case play(Int)
    case pause(Int)
    case speed(Int, Int64)
    case close(Int)

    /// The longest seek a page may ask for (a recording segment is far shorter), ms.
    public static let maxSeekMillis: Int64 = 1 << 40

    /// nil: not a replay command; `.failure` carries the one-line reason for the tab.
    public static func parse(_ line: String) -> Result<ReplayCommand, ReplayCommandError>? {
        let w = line.split(separator: " ")
        guard w.first == "replay" else { return nil }
        if w.count == 3, w[1] == "open" {
            let parts = w[2].split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 2 else { return .failure(ReplayCommandError("replay open <ID>/<file>.mkv")) }
            return .success(.open(producer: String(parts[0]), file: String(parts[1])))
        }
        guard w.count >= 3, w[1].count <= 9, let n = Int(w[1]), n > 0 else {
            return .failure(ReplayCommandError("replay open <ID>/<file>, or replay <n> seek <ms>|play|pause|speed 1|speed 2|close"))
        }
        switch (w[2], w.count) {
        case ("play", 3): return .success(.play(n))
        case ("pause", 3): return .success(.pause(n))
        case ("close", 3): return .success(.close(n))
        case ("seek", 4):
            guard w[3].count <= 13, let ms = Int64(w[3]), ms >= 0, ms <= maxSeekMillis else { return .failure(ReplayCommandError("replay <n> seek <ms>: ms is 0 or more")) }
            return .success(.seek(n, millis: ms))
        case ("speed", 4):
            guard w[3] == "1" || w[3] == "2" else { return .failure(ReplayCommandError("replay <n> speed 1|2")) }
            return .success(.speed(n, w[3] == "1" ? 1 : 2))
        default: return .failure(ReplayCommandError("replay <n> seek <ms>|play|pause|speed 1|speed 2|close"))
        }
    }
}

public struct ReplayCommandError: Error, Equatable, Sendable {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
}
