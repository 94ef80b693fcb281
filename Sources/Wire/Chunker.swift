/// Splits a frame into DATA datagrams of at most `WireConstants.maxDatagram` bytes. Every chunk but the last
/// carries exactly `WireConstants.chunkPayload` bytes, so receivers place chunks by index alone; the chunks are
/// numbered consecutively, so receivers know from any chunk where its frame starts and ends
/// (`DataHeader.frameStart`, `DataHeader.frameEnd`).
public enum Chunker {
    /// The datagrams of one frame, numbered from `firstSequence`.
    public static func chunk(frame: [UInt8], stream: StreamID, frameNumber: UInt32, firstSequence: UInt32, captureTime: UInt64) -> [[UInt8]] {
        precondition(!frame.isEmpty && frame.count <= WireConstants.maxFrameBytes, "frame size out of range")
        let size = WireConstants.chunkPayload
        let count = (frame.count + size - 1) / size
        var out: [[UInt8]] = []
        out.reserveCapacity(count)
        for i in 0..<count {
            let lo = i * size
            let hi = min(frame.count, lo + size)
            let h = DataHeader(
                stream: stream, sequence: firstSequence &+ UInt32(i), frameNumber: frameNumber, frameLength: UInt32(frame.count),
                chunkIndex: UInt16(i), chunkCount: UInt16(count), captureTime: captureTime)
            var w = ByteWriter(capacity: WireConstants.dataHeaderSize + hi - lo + 4)
            w.write(WireConstants.magic)
            w.write(WireConstants.version)
            w.write(MessageType.data.rawValue)
            DataHeader.write(h, into: &w)
            w.write(bytes: frame[lo..<hi])
            out.append(w.bytes)
        }
        return out
    }
}
