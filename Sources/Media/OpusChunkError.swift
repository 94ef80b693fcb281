/// Why bytes are not an Opus chunk.
public enum OpusChunkError: Error, Equatable, Sendable {
    case truncated
    case unknownFormat(UInt8)
    case badChannels(UInt8)
    case badPacketCount(Int)
    case badPacketLength(Int)
    case trailingBytes(Int)
}
