import Wire

extension Settings {
    /// A comma-separated list of producer ids (6 hex digits) or stream ids (8), as `SUBSCRIBE` and `RECORD` take.
    public func streamSelectors(_ flag: String, setting: String) throws(SettingsError) -> [StreamID] {
        var out: [StreamID] = []
        for part in (string(flag) ?? "").split(separator: ",") {
            let t = part.filter { $0 != " " }.uppercased()
            guard let s = StreamID(selector: t), s.rawValue >> 8 != 0 else {
                throw SettingsError(setting: setting, message: "'\(part)' is not a 6- or 8-digit hex id")
            }
            out.append(s)
        }
        return out
    }
}
