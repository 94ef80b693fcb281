#if canImport(Glibc)
    import Glibc
#endif

/// A failed system call, with errno given a name.
public struct SystemError: Error, CustomStringConvertible, Sendable {
    public let call: String
    public let errno: Int32
    public init(_ call: String, _ e: Int32 = Glibc.errno) {
        self.call = call
        errno = e
    }
    public var description: String { "\(call): \(String(cString: strerror(errno)))" }
}
