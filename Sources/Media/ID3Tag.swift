/// The ID3 tags an MP3 file or stream may carry around its frames, which a framer skips.
public enum ID3Tag {
    /// Bytes in an ID3v2 header (and in its optional footer).
    public static let v2HeaderSize = 10
    /// Bytes in an ID3v1 trailer (`TAG` and 125 bytes of fields).
    public static let v1Size = 128

    /// What the bytes at an offset say about an ID3v2 tag there.
    public enum Probe: Sendable, Equatable {
        /// No ID3v2 tag starts here.
        case none
        /// The bytes so far could start a tag; more are needed to tell.
        case needMore
        /// A tag of this many bytes (header, body and footer) starts here.
        case tag(length: Int)
    }

    /// Looks for an ID3v2 header at `offset`: `ID3`, a version below 0xFF, flags, and a four-byte syncsafe size
    /// (seven bits a byte). The v2.4 footer flag (0x10) adds ten bytes.
    public static func probeV2(_ bytes: ArraySlice<UInt8>, at offset: Int) -> Probe {
        let available = bytes.endIndex - offset
        let expected: [UInt8] = [0x49, 0x44, 0x33]  // "ID3"
        for index in 0..<min(available, 3) where bytes[offset + index] != expected[index] { return .none }
        guard available >= v2HeaderSize else { return .needMore }
        guard bytes[offset + 3] != 0xFF, bytes[offset + 4] != 0xFF else { return .none }
        var size = 0
        for index in 6..<10 {
            let byte = bytes[offset + index]
            guard byte < 0x80 else { return .none }
            size = size << 7 | Int(byte)
        }
        let footer = bytes[offset + 5] & 0x10 != 0 ? v2HeaderSize : 0
        return .tag(length: v2HeaderSize + size + footer)
    }

    /// Whether an ID3v1 trailer (`TAG`) may start at `offset`: in a stream of concatenated files it sits between
    /// the last frame of one and the first of the next.
    public static func startsV1(_ bytes: ArraySlice<UInt8>, at offset: Int) -> Bool {
        guard bytes.endIndex - offset >= 3 else { return false }
        return bytes[offset] == 0x54 && bytes[offset + 1] == 0x41 && bytes[offset + 2] == 0x47  // "TAG"
    }

    /// Whether exactly the last 128 bytes of `bytes`, from `offset`, are an ID3v1 trailer.
    public static func isV1Trailer(_ bytes: ArraySlice<UInt8>, at offset: Int) -> Bool {
        bytes.endIndex - offset == v1Size && startsV1(bytes, at: offset)
    }
}
