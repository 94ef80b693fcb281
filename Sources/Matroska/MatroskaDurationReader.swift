/// Reads the Duration of a finished recording from its first bytes, for listings.
public enum MatroskaDurationReader {
    /// How many bytes of a file's start to hand in: the header this module writes is far smaller.
    public static let headerBytes = 4096

    /// The Duration in milliseconds, or nil when absent (a file being written or cut short) or unreadable.
    public static func durationMillis(_ b: [UInt8]) -> Double? { MatroskaReader.header(b)?.durationMillis }
}
