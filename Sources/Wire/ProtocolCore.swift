/// The contract every role core keeps (after quinn-proto): no I/O and no clock of its own. Its driver feeds it
/// datagrams and timeouts, then pulls what it must send, when to call again, and what happened:
///
///     core.handle(datagram, from: address, now: now)   // for each datagram received
///     if now >= core.pollTimeout() { core.handleTimeout(now: now) }
///     while let t = core.pollTransmit() { send(t) }
///     while let e = core.pollEvent() { tell(e) }
///
/// Commands from the user (subscribe, send a frame) are methods of each core that queue transmits the same way.
public protocol ProtocolCore {
    /// What the core asks its driver to send.
    associatedtype Transmit
    /// What the core reports: typed facts, put into words by the app.
    associatedtype Event

    /// One datagram received from `from` at `now` (monotonic µs).
    mutating func handle(_ datagram: [UInt8], from: PeerAddress, now: Int64)
    /// Runs every timer due at `now`.
    mutating func handleTimeout(now: Int64)
    /// The next datagram to send, if any.
    mutating func pollTransmit() -> Transmit?
    /// When `handleTimeout` must next run (monotonic µs; `Int64.max` when nothing is scheduled).
    func pollTimeout() -> Int64
    /// The next event, if any.
    mutating func pollEvent() -> Event?
}

extension ProtocolCore {
    /// `pollTimeout()` through a mutating access. A driver that keeps its core in a class and asks the deadline
    /// several times a turn reads it in place this way; a plain read of a struct stored in a class copies the whole
    /// core (every array and dictionary in it retained and released), which `perf` showed in every broker turn.
    @inlinable public mutating func deadlineInPlace() -> Int64 { pollTimeout() }

    /// Every queued transmit at once, for a driver that sends them as one batch (sendmmsg, GSO).
    @inlinable public mutating func drainTransmits() -> [Transmit] {
        var out: [Transmit] = []
        while let t = pollTransmit() { out.append(t) }
        return out
    }

    /// Every queued event at once.
    @inlinable public mutating func drainEvents() -> [Event] {
        var out: [Event] = []
        while let e = pollEvent() { out.append(e) }
        return out
    }
}
