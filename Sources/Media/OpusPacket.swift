/// What the Ogg muxer needs to know of an Opus packet (RFC 6716 §3.1): how many 48 kHz samples it holds, read
/// from its TOC byte and, for code 3, its frame count byte. Nothing else of the packet is looked at.
public enum OpusPacket {
    /// Largest packet RFC 6716 §3.2.1 allows: 1275 bytes per frame, 48 frames (120 ms of 2.5 ms frames).
    public static let maxBytes = 1275 * 48
    /// Longest packet, in 48 kHz samples (120 ms, §3.2.5).
    public static let maxSamples = 5760

    /// Samples at 48 kHz of one frame of TOC configuration `config` (0…31, Table 2 of §3.1).
    static func frameSamples(config: Int) -> Int {
        switch config {
        case 0...11: [480, 960, 1920, 2880][config % 4]  // SILK: 10, 20, 40, 60 ms
        case 12...15: [480, 960][config % 2]  // hybrid: 10, 20 ms
        default: [120, 240, 480, 960][config % 4]  // CELT: 2.5, 5, 10, 20 ms
        }
    }

    /// The packet's duration in 48 kHz samples; nil for a packet that is not valid Opus framing (empty, a code 3
    /// without its count byte, no frames, or over 120 ms).
    public static func sampleCount(_ packet: ArraySlice<UInt8>) -> Int? {
        guard let toc = packet.first else { return nil }
        let perFrame = frameSamples(config: Int(toc >> 3))
        let frames: Int
        switch toc & 0x03 {
        case 0: frames = 1
        case 1, 2: frames = 2
        default:
            guard packet.count >= 2 else { return nil }
            frames = Int(packet[packet.startIndex + 1] & 0x3F)
        }
        let total = frames * perFrame
        guard frames >= 1, total <= maxSamples else { return nil }
        return total
    }

    public static func sampleCount(_ packet: [UInt8]) -> Int? { sampleCount(packet[...]) }
}
