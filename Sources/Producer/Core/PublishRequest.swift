import Wire

/// The first message a publish page sends on its WebSocket (docs/PUBLISH.md): `start ID KEY FPS CHANNELS`.
/// Parsed here so the gateway never has to look at the key as text again; no error message repeats the key.
public struct PublishRequest: Equatable, Sendable {
    /// Frame rate the page may announce, frames per second (the producer's own bounds).
    public static let rates: ClosedRange<Double> = 0.1...60

    public var producer: ProducerID
    public var streamKey: [UInt8]
    public var rate: Double
    /// Opus channels of the page's encoder: 1 or 2; 0 when the page sends no sound.
    public var channels: UInt8

    public init(producer: ProducerID, streamKey: [UInt8], rate: Double, channels: UInt8) {
        self.producer = producer
        self.streamKey = streamKey
        self.rate = rate
        self.channels = channels
    }

    /// The request in `line`, or a message for the page saying what is wrong.
    public static func parse(_ line: String) -> Result<PublishRequest, PublishRequestError> {
        let words = line.split(separator: " ")
        guard words.count == 5, words[0] == "start" else { return .failure(.init("the page must send: start ID KEY FPS CHANNELS")) }
        guard let id = ProducerID(hex: words[1].uppercased()), id.rawValue != 0 else {
            return .failure(.init("the producer id must be 6 hex digits, for example 1AAA99"))
        }
        guard let key = StreamKeys.parse(hex: String(words[2])) else {
            return .failure(.init("the stream key must be 32 hex digits (broker --issue-key \(id) prints it)"))
        }
        guard let rate = Double(words[3]), rate.isFinite, rates.contains(rate) else {
            return .failure(.init("the frame rate must be a number of frames per second in \(rates.lowerBound)...\(rates.upperBound)"))
        }
        guard let channels = UInt8(words[4]), channels <= 2 else { return .failure(.init("channels must be 0 (no sound), 1 or 2")) }
        return .success(PublishRequest(producer: id, streamKey: key, rate: rate, channels: channels))
    }

    /// The streams a browser publishes: JPEG video at the page's rate and, with sound, Opus chunks.
    public var streams: [StreamDescriptor] {
        var s = [StreamDescriptor(index: StreamKind.video.rawValue, kind: .video, rateMilli: UInt32(rate * 1000))]
        if channels > 0 {
            let perSecond = 1_000_000 / (Int(OpusBatcher.packetMicros) * OpusBatcher.packetsPerChunk)
            s.append(StreamDescriptor(index: StreamKind.opus.rawValue, kind: .opus, rateMilli: UInt32(perSecond * 1000)))
        }
        return s
    }
}
