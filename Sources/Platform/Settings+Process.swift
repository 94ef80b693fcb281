import Config
import Wire

#if canImport(Glibc)
    import Glibc
#endif

extension Settings {
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

    /// A `host:port` setting, resolved.
    /// A comma-separated list of `host:port`, each name giving every address it resolves to (IPv4 ones only when
    /// there are any, so one socket reaches them all), without duplicates; nil when empty.
    public func addresses(_ flag: String) throws(SettingsError) -> [PeerAddress]? {
        guard let v = string(flag), !v.isEmpty else { return nil }
        var all: [PeerAddress] = []
        var unresolved: [AddressError] = []
        for part in v.split(separator: ",") {
            let text = String(part).trimmingSpaces
            guard !text.isEmpty else { continue }
            do throws(AddressError) {
                for a in try PeerAddress.resolveAll(text) where !all.contains(a) { all.append(a) }
            } catch where error.unresolved {
                unresolved.append(error)
            } catch {
                throw SettingsError(setting: spec(flag).label, message: error.description)
            }
        }
        // A list goes on without a name that does not resolve now (a stopped broker container's name vanishes
        // from Docker's DNS), so a client restarted during an outage starts on the others; nothing at all is an error.
        if let first = unresolved.first, all.isEmpty { throw SettingsError(setting: spec(flag).label, message: first.description) }
        for e in unresolved {
            Logger(name: program).warning("\(spec(flag).label): \(e.description); using the other entries")
        }
        guard !all.isEmpty else { throw SettingsError(setting: spec(flag).label, message: "no broker address in '\(v)'") }
        if all.contains(where: { !$0.isIPv6 }) { all.removeAll(where: \.isIPv6) }
        return all
    }

    public func address(_ flag: String) throws(SettingsError) -> PeerAddress? {
        guard let v = string(flag), !v.isEmpty else { return nil }
        do throws(AddressError) { return try PeerAddress.resolve(v.trimmingSpaces) } catch {
            throw SettingsError(setting: spec(flag).label, message: error.description)
        }
    }

}

/// Runs `body`; a settings error is printed naming the setting and exits with status 2.
public func exitOnSettingsError<T>(_ program: String, _ body: () throws(SettingsError) -> T) -> T {
    do { return try body() } catch {
        writeAll(2, "\(program): \(error.description)\n")
        exit(2)
    }
}
