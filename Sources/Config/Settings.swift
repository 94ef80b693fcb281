import Wire

/// Settings from flags and environment (a flag wins over the environment, which wins over the default).
public struct Settings: Sendable {
    public let program: String
    public let specs: [SettingSpec]
    private var values: [String: String] = [:]
    public private(set) var helpRequested = false

    public init(program: String, specs: [SettingSpec], arguments: [String], environment: [String: String]) throws(SettingsError) {
        self.program = program
        self.specs = specs
        for s in specs {
            if let e = s.env, let v = environment[e], !v.isEmpty { values[s.flag] = v } else if let d = s.defaultValue { values[s.flag] = d }
        }
        var i = 0
        while i < arguments.count {
            let a = arguments[i]
            i += 1
            if a == "--help" || a == "-h" {
                helpRequested = true
                continue
            }
            guard a.hasPrefix("--") else { throw SettingsError(setting: a, message: "unexpected argument (see --help)") }
            var name = String(a.dropFirst(2))
            var inline: String?
            if let eq = name.firstIndex(of: "=") {
                inline = String(name[name.index(after: eq)...])
                name = String(name[..<eq])
            }
            guard let spec = specs.first(where: { $0.flag == name }) else {
                throw SettingsError(setting: a, message: "unknown option (see --help)")
            }
            if spec.isSwitch {
                values[name] = inline ?? "true"
            } else if let v = inline {
                values[name] = v
            } else {
                guard i < arguments.count else { throw SettingsError(setting: spec.label, message: "--\(name) needs a value") }
                values[name] = arguments[i]
                i += 1
            }
        }
    }

    public func usage(summary: String) -> String {
        var out = "\(summary)\n\nUsage: \(program) [options]\n\nOptions (a flag wins over its environment variable):\n"
        for s in specs {
            var left = "  --\(s.flag)" + (s.isSwitch ? "" : " VALUE")
            if let e = s.env { left += "  (env \(e))" }
            out += left + "\n      \(s.help)" + (s.defaultValue.map { " [default: \($0)]" } ?? "") + "\n"
        }
        out += "  --help\n      Show this help.\n"
        return out
    }

    /// The spec of `flag`; asking for a flag that was never declared is our bug.
    public func spec(_ flag: String) -> SettingSpec {
        guard let s = specs.first(where: { $0.flag == flag }) else { preconditionFailure("no setting \(flag)") }
        return s
    }

    /// The raw text of a setting, if it has one.
    public func string(_ flag: String) -> String? { values[flag] }

    public func required(_ flag: String) throws(SettingsError) -> String {
        guard let v = values[flag], !v.isEmpty else { throw SettingsError(setting: spec(flag).label, message: "is required") }
        return v
    }

    public func bool(_ flag: String) throws(SettingsError) -> Bool {
        guard let v = values[flag] else { return false }
        switch v.lowercased() {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off", "": return false
        default: throw SettingsError(setting: spec(flag).label, message: "'\(v)' is not true or false")
        }
    }

    public func int(_ flag: String, in range: ClosedRange<Int>) throws(SettingsError) -> Int? {
        guard let v = values[flag], !v.isEmpty else { return nil }
        guard let n = Int(v.trimmingSpaces) else { throw SettingsError(setting: spec(flag).label, message: "'\(v)' is not a whole number") }
        guard range.contains(n) else {
            throw SettingsError(setting: spec(flag).label, message: "\(n) is outside \(range.lowerBound)...\(range.upperBound)")
        }
        return n
    }

    public func double(_ flag: String, in range: ClosedRange<Double>) throws(SettingsError) -> Double? {
        guard let v = values[flag], !v.isEmpty else { return nil }
        guard let n = Double(v.trimmingSpaces), n.isFinite else { throw SettingsError(setting: spec(flag).label, message: "'\(v)' is not a number") }
        guard range.contains(n) else {
            throw SettingsError(setting: spec(flag).label, message: "\(v) is outside \(range.lowerBound)...\(range.upperBound)")
        }
        return n
    }

    /// `first` or `random` (the default when unset or empty).
    public func brokerPick(_ flag: String) throws(SettingsError) -> BrokerPick {
        guard let v = values[flag], !v.isEmpty else { return .random }
        guard let p = BrokerPick(rawValue: v.trimmingSpaces.lowercased()) else {
            throw SettingsError(setting: spec(flag).label, message: "'\(v)' is not first or random")
        }
        return p
    }

    public func logLevel(_ flag: String) throws(SettingsError) -> LogLevel {
        guard let v = values[flag] else { return .info }
        guard let l = LogLevel(name: v) else {
            throw SettingsError(setting: spec(flag).label, message: "'\(v)' is not debug, info, warning or error")
        }
        return l
    }
}
