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
