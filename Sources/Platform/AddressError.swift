/// A host:port that could not be used.
public struct AddressError: Error, CustomStringConvertible, Sendable {
    public let text: String
    public let reason: String
    /// The name is well formed but does not resolve (now): a failover list goes on without it.
    public var unresolved = false
    public var description: String { "'\(text)' is not a usable address: \(reason)" }
}
