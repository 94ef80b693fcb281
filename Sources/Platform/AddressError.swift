/// A host:port that could not be used.
public struct AddressError: Error, CustomStringConvertible, Sendable {
    public let text: String
    public let reason: String
    public var description: String { "'\(text)' is not a usable address: \(reason)" }
}
