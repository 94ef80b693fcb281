/// A field whose value a decoder checks (an enum, a count, an index): named as in docs/PROTOCOL.md, so a
/// `WireError` names it the same way the specification does.
public enum WireField: String, Sendable, CustomStringConvertible {
    case role
    case streamIndex = "stream_index"
    case streamID = "stream_id"
    case kind
    case producerID = "producer_id"
    case heartbeatMs = "heartbeat_ms"
    case leaseMisses = "lease_misses"
    case status
    case code
    case count
    case state
    case first
    case reason
    case frameLength = "frame_length"
    case chunkCount = "chunk_count"
    case chunkIndex = "chunk_index"
    case page

    public var description: String { rawValue }
}
