import Media

/// The audio of a live `.mp3` body: only whole MPEG audio frames, so the body starts on a frame boundary and a
/// player never meets a tag, or the Xing/Info/VBRI header frame an encoder puts at the start of each file (it
/// would describe the length of one chunk, and decode as a frame of silence), in the middle of the stream.
public enum MP3Body {
    /// The slices of `chunk` (an audio chunk as the producer sent it) that go into the body: runs of whole frames,
    /// never copied.
    public static func frames(of chunk: [UInt8]) -> [ArraySlice<UInt8>] {
        var out: [ArraySlice<UInt8>] = []
        var run: Range<Int>?
        for f in MP3Frames.frames(in: chunk[...]) where !isInfoFrame(chunk[f]) {
            if let r = run, r.upperBound == f.lowerBound {
                run = r.lowerBound..<f.upperBound
            } else {
                if let r = run { out.append(chunk[r]) }
                run = f
            }
        }
        if let r = run { out.append(chunk[r]) }
        return out
    }

    /// Whether `frame` is a VBR header frame: "Xing" or "Info" right after the side information, or "VBRI" 32 bytes
    /// after the header (the Fraunhofer encoder's).
    public static func isInfoFrame(_ frame: ArraySlice<UInt8>) -> Bool {
        guard let h = try? MP3FrameHeader(frame, at: frame.startIndex), h.layer == .three else { return false }
        let mono = h.channelMode == 3
        let sideInfo = h.version == .mpeg1 ? (mono ? 17 : 32) : (mono ? 9 : 17)
        let at = frame.startIndex + MP3FrameHeader.size + (h.hasCRC ? 2 : 0) + sideInfo
        return has("Xing", frame, at) || has("Info", frame, at) || has("VBRI", frame, frame.startIndex + MP3FrameHeader.size + 32)
    }

    private static func has(_ tag: String, _ frame: ArraySlice<UInt8>, _ at: Int) -> Bool {
        let t = Array(tag.utf8)
        return at + t.count <= frame.endIndex && frame[at..<at + t.count].elementsEqual(t)
    }
}
