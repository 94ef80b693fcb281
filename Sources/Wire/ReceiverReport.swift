/// What a client has received, carried in its HEARTBEATs like an RTCP receiver report: cumulative counts since
/// the client started, each wrapping at 2^32, so the broker takes the difference between two reports (the
/// datagrams received and lost since the previous one) and a lost heartbeat loses no figure.
public struct ReceiverReport: Equatable, Sendable {
    /// DATA datagrams received, over all of the client's streams (duplicates included: they were delivered).
    public var received: UInt32
    /// Datagrams given up as lost: missing and not recovered within the latency budget.
    public var lost: UInt32

    public init(received: UInt32, lost: UInt32) {
        self.received = received
        self.lost = lost
    }

    /// The HEARTBEAT's size with a report; without one it is `heartbeatSize`.
    public static let heartbeatSize = 24
    public static let heartbeatWithReportSize = 32
}
