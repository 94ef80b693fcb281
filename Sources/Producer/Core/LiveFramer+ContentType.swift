import HTTP

extension LiveFramer {
    /// How an HTTP source's body is to be read, or why it is refused.
    public enum Body: Sendable, Equatable {
        /// The body is the media byte stream itself (concatenated JPEGs; an MP3 stream).
        case raw
        /// A multipart body (MJPEG over HTTP) with this boundary.
        case multipart(boundary: String)
        case refused(reason: String)
    }

    /// Media types an MJPEG source may answer with besides `multipart/*`: a bare stream of concatenated JPEGs.
    public static let rawJPEGTypes: Set<String> = ["image/jpeg", "video/x-motion-jpeg", "video/mjpeg", "video/x-mjpeg"]
    /// Media types of an MP3 stream (Icecast and SHOUTcast say audio/mpeg; some servers the others).
    public static let mp3Types: Set<String> = ["audio/mpeg", "audio/mp3", "audio/mpeg3", "audio/x-mpeg", "audio/x-mp3"]

    /// How to read the body of a 200 response for `media`, from its Content-Type.
    public static func body(of head: HTTPResponseHead, media: Media) -> Body {
        let type = head.mediaType
        switch media {
        case .jpeg:
            if type.hasPrefix("multipart/") {
                guard let boundary = MultipartParser.boundary(of: head) else { return .refused(reason: "\(type) without a usable boundary") }
                return .multipart(boundary: boundary)
            }
            if rawJPEGTypes.contains(type) { return .raw }
            return .refused(reason: "content type '\(type)' is not MJPEG (multipart/x-mixed-replace or image/jpeg)")
        case .mp3:
            if mp3Types.contains(type) { return .raw }
            return .refused(reason: "content type '\(type)' is not MP3 (audio/mpeg)")
        }
    }
}
