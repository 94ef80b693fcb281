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
