/// Why four bytes are not an MPEG audio frame header.
public enum MP3HeaderError: Error, Sendable, Equatable {
    /// Fewer than four bytes.
    case truncated
    /// The 11 sync bits are not all set.
    case noSync
    /// Version bits 01.
    case reservedVersion
    /// Layer bits 00.
    case reservedLayer
    /// Bitrate index 0: the frame length is not in the header.
    case freeFormat
    /// Bitrate index 15.
    case reservedBitrate
    /// Sample-rate index 3.
    case reservedSampleRate
    /// Emphasis bits 10.
    case reservedEmphasis
}
