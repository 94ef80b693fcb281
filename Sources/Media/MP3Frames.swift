/// Finds the whole, validated MP3 frames of a complete buffer (a file), skipping ID3 tags and garbage.
public enum MP3Frames {
    /// The ranges (indices of `bytes`) of the whole MP3 frames in `bytes`, in order.
    ///
    /// A candidate header counts only if its frame fits in the buffer and is followed by a consistent header
    /// (same version, layer and sample rate), an ID3 tag, or the end of the buffer: the chain of lengths is what
    /// tells a frame from a sync pattern in garbage. Anything else is skipped a byte at a time until a frame
    /// validates again, so a truncated last frame, a partial first frame and junk in between are left out.
    public static func frames(in bytes: ArraySlice<UInt8>) -> [Range<Int>] {
        var frames: [Range<Int>] = []
        var offset = bytes.startIndex
        while offset < bytes.endIndex {
            if case .tag(let length) = ID3Tag.probeV2(bytes, at: offset) {
                offset += min(length, bytes.endIndex - offset)
                continue
            }
            if let length = frameLength(bytes, at: offset) {
                frames.append(offset..<offset + length)
                offset += length
            } else {
                offset += 1
            }
        }
        return frames
    }

    /// The length of the frame at `offset` if it is whole and what follows it confirms it.
    static func frameLength(_ bytes: ArraySlice<UInt8>, at offset: Int) -> Int? {
        guard let header = try? MP3FrameHeader(bytes, at: offset) else { return nil }
        let end = offset + header.frameLength
        guard end <= bytes.endIndex else { return nil }
        if end == bytes.endIndex || ID3Tag.isV1Trailer(bytes, at: end) { return header.frameLength }
        if case .tag = ID3Tag.probeV2(bytes, at: end) { return header.frameLength }
        guard let next = try? MP3FrameHeader(bytes, at: end), next.isConsistent(with: header) else { return nil }
        return header.frameLength
    }
}
