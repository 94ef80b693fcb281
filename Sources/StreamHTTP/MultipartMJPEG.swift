/// The bytes of a live MJPEG body (`multipart/x-mixed-replace`), as go2rtc and mjpg-streamer send it and as
/// ffmpeg's `mpjpeg` demuxer, VLC and browsers read it. Each part is one whole JPEG with its own
/// `Content-Type` and `Content-Length`, and every part is followed at once by the next boundary line: a browser
/// shows a part only when the boundary after it arrives, so sending it with the frame (not with the next one)
/// saves a frame interval of delay.
public enum MultipartMJPEG {
    /// The boundary; short, and never found in a JPEG's own bytes where it matters (parts carry their length).
    public static let boundary = "vbframe"

    /// The Content-Type of the response.
    public static let contentType = "multipart/x-mixed-replace; boundary=\(boundary)"

    /// What opens the body, right after the response head: the first boundary line.
    public static let opening: [UInt8] = Array("--\(boundary)\r\n".utf8)

    /// What follows every part: the end of the part's body and the next boundary line.
    public static let trailer: [UInt8] = Array("\r\n--\(boundary)\r\n".utf8)

    /// The header lines of one part carrying a JPEG of `length` bytes (built once per frame, shared by readers).
    public static func partHeader(length: Int) -> [UInt8] {
        Array("Content-Type: image/jpeg\r\nContent-Length: \(length)\r\n\r\n".utf8)
    }

    /// The pieces of one part, in the order they go out: header, the JPEG itself (never copied), trailer.
    public static func part(header: [UInt8], jpeg: [UInt8]) -> [ArraySlice<UInt8>] {
        [header[...], jpeg[...], trailer[...]]
    }
}
