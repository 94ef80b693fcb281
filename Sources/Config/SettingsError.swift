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
