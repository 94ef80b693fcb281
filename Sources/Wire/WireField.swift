/// A field of a message, named as in docs/PROTOCOL.md, so a `WireError` names it the way the specification does:
/// where a datagram ended too soon, or which checked value (an enum, a count, an index) was wrong.
public enum WireField: String, Sendable, CustomStringConvertible {
    case announceAck = "announce_ack"
    case announceVersion = "announce_version"
    case brokerID = "broker_id"
    case challenge
    case chunkCount = "chunk_count"
    case chunkIndex = "chunk_index"
    case claim
    case code
    case count
    case dataHeader = "data_header"
    case echoDelay = "echo_delay"
    case echoTime = "echo_time"
    case entryCount = "entry_count"
    case epoch
    case first
    case flags
    case frameLength = "frame_length"
    case header
    case heartbeatMs = "heartbeat_ms"
    case interestAck = "interest_ack"
    case interestVersion = "interest_version"
    case kind
    case leaseMisses = "lease_misses"
    case lost
    case magic
    case nonce
    case origin
    case page
    case pages
    case producerID = "producer_id"
    case proof
    case rangeCount = "range_count"
    case rate
    case reason
    case reasonLength = "reason_length"
    case received
    case requestID = "request_id"
    case reserved
    case role
    case rtt
    case selector
    case sendTime = "send_time"
    case stamp
    case start
    case state
    case status
    case streamCount = "stream_count"
    case streamID = "stream_id"
    case streamIndex = "stream_index"
    case subscribers
    case token
    case total
    case type
    case version

    public var description: String { rawValue }
}
