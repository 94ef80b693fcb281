import Wire

/// What the status report needs besides the core: this broker's addresses and clocks, and the figures the
/// driver keeps (per-subscriber queues live in the fan-out planner, not the core).
public struct StatusContext {
    /// The broker's UDP address (as bound) and its HTTP port.
    public var brokerAddress: String
    public var httpAddress: String?
    /// Monotonic µs now, when the broker started, and the wall clock now (µs since 1970), to turn the core's
    /// monotonic times into dates.
    public var now: Int64
    public var started: Int64
    public var wallMicros: UInt64
    /// Backlog (datagrams queued) and frames dropped for being slow, by subscriber queue slot.
    public var queue: (Int) -> (backlog: Int, droppedFrames: Int)

    public init(
        brokerAddress: String, httpAddress: String?, now: Int64, started: Int64, wallMicros: UInt64,
        queue: @escaping (Int) -> (backlog: Int, droppedFrames: Int)
    ) {
        self.brokerAddress = brokerAddress
        self.httpAddress = httpAddress
        self.now = now
        self.started = started
        self.wallMicros = wallMicros
        self.queue = queue
    }

    /// A monotonic time as milliseconds since 1970 (nil for 0, "never").
    public func unixMillis(_ monotonic: Int64) -> Int64? {
        guard monotonic > 0 else { return nil }
        return (Int64(wallMicros) - (now - monotonic)) / 1000
    }
}
