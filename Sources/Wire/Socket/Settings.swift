#if canImport(Glibc)
import Glibc
#endif
import CWire

/// One setting of an executable: a flag, the environment variable that can also set it, and its help.
public struct SettingSpec: Sendable {
    public var flag: String
    public var env: String?
    public var help: String
    public var defaultValue: String?
    /// A switch (`--flag` alone) rather than `--flag VALUE`.
    public var isSwitch: Bool
    public init(_ flag: String, env: String? = nil, default defaultValue: String? = nil, switch isSwitch: Bool = false, _ help: String) {
        self.flag = flag
        self.env = env
        self.help = help
        self.defaultValue = defaultValue
        self.isSwitch = isSwitch
    }
    public var label: String { env.map { "\($0) (--\(flag))" } ?? "--\(flag)" }
}

/// A setting that is missing or invalid; the program prints it and exits with status 2.
public struct SettingsError: Error, CustomStringConvertible, Sendable {
    public let setting: String
    public let message: String
    public init(setting: String, message: String) {
        self.setting = setting
        self.message = message
    }
    public var description: String { "invalid setting \(setting): \(message)" }
}

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

    /// Reads the process's arguments and environment.
    public static func fromProcess(program: String, specs: [SettingSpec]) throws(SettingsError) -> Settings {
        try Settings(program: program, specs: specs, arguments: Array(CommandLine.arguments.dropFirst()), environment: processEnvironment())
    }

    /// What every executable does first: reads its settings, prints `--help` and exits 0, or names a bad
    /// setting and exits 2.
    public static func parseOrExit(program: String, specs: [SettingSpec], summary: String, helpFooter: String = "") -> Settings {
        let settings = exitOnSettingsError(program) { () throws(SettingsError) in try fromProcess(program: program, specs: specs) }
        if settings.helpRequested {
            say(settings.usage(summary: summary) + (helpFooter.isEmpty ? "" : "\n" + helpFooter))
            exit(0)
        }
        return settings
    }

    public static func processEnvironment() -> [String: String] {
        var env: [String: String] = [:]
        var p = environ
        while let entry = p.pointee {
            let s = String(cString: entry)
            if let eq = s.firstIndex(of: "=") { env[String(s[..<eq])] = String(s[s.index(after: eq)...]) }
            p += 1
        }
        return env
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

    private func spec(_ flag: String) -> SettingSpec {
        guard let s = specs.first(where: { $0.flag == flag }) else { preconditionFailure("no setting \(flag)") }
        return s
    }

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
        guard range.contains(n) else { throw SettingsError(setting: spec(flag).label, message: "\(n) is outside \(range.lowerBound)...\(range.upperBound)") }
        return n
    }

    public func double(_ flag: String, in range: ClosedRange<Double>) throws(SettingsError) -> Double? {
        guard let v = values[flag], !v.isEmpty else { return nil }
        guard let n = Double(v.trimmingSpaces), n.isFinite else { throw SettingsError(setting: spec(flag).label, message: "'\(v)' is not a number") }
        guard range.contains(n) else { throw SettingsError(setting: spec(flag).label, message: "\(v) is outside \(range.lowerBound)...\(range.upperBound)") }
        return n
    }

    public func address(_ flag: String) throws(SettingsError) -> PeerAddress? {
        guard let v = values[flag], !v.isEmpty else { return nil }
        do { return try PeerAddress.resolve(v.trimmingSpaces) } catch { throw SettingsError(setting: spec(flag).label, message: error.description) }
    }

    public func logLevel(_ flag: String) throws(SettingsError) -> LogLevel {
        guard let v = values[flag] else { return .info }
        guard let l = LogLevel(name: v) else { throw SettingsError(setting: spec(flag).label, message: "'\(v)' is not debug, info, warning or error") }
        return l
    }
}

extension String {
    public var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return String(s)
    }
}

/// Runs `body`; a settings error is printed naming the setting and exits with status 2.
public func exitOnSettingsError<T>(_ program: String, _ body: () throws(SettingsError) -> T) -> T {
    do { return try body() } catch {
        writeAll(2, "\(program): \(error.description)\n")
        exit(2)
    }
}

/// SIGINT/SIGTERM as a readable file descriptor, for poll loops.
public struct SignalWatcher: Sendable {
    public let fd: Int32
    /// Blocks the signals in this thread and threads created after; call first thing in main.
    public init() { fd = cwire_signalfd() }
    /// The signal that arrived, if any.
    public func take() -> Int32? {
        let s = cwire_read_signal(fd)
        return s > 0 ? s : nil
    }
}
