/// Why a publish request is refused, in words for the page.
public struct PublishRequestError: Error, Equatable, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
}
