import Wire

/// The one driver of every executable's `ProtocolCore` (after quinn's endpoint driver): the only place that
/// decides the order of a turn. Each turn:
///
///  1. `turnStarts`; wait until the socket or a host descriptor is ready, or the core's next deadline (or the host's);
///  2. `woke` (signals);
///  3. read what is queued on the socket, in batches, feeding the core (`admit` filters), `afterBatch` after each,
///     then `afterReceive` and `transmit`;
///  4. run the core's timers if due (`runTimers`: `handleTimeout` and `transmit`);
///  5. `turnEnds` (events, commands, pacing).
///
/// Step 3 runs whenever a timer is due, readable or not: what the peer sent while this process was stalled (a
/// loaded host) is its answer, and must be heard before its silence is judged. Every driver keeps that rule here.
///
/// A process with many sockets and cores (`loadgen --sessions`, the publish gateway) waits on them itself and
/// runs steps 3 and 4 for each with `serve`. The lossy relay has no core (it forwards bytes between sockets and
/// a delay queue) and keeps its own loop.
public enum EventLoop {
    /// What one turn waits for besides the host's socket and its core's deadline.
    public struct Wait {
        /// Descriptors to wait for readable (signals, stdin, HTTP listeners, wake pipes).
        public var readable: [Int32]
        /// Descriptors to wait for writable (a full socket, HTTP responses).
        public var writable: [Int32]
        /// The host's own deadline (monotonic µs): status lines, pacing, a cap on the sleep.
        public var deadline: Int64
        /// Poll without sleeping: the host has work left from the last turn (a forwarding backlog).
        public var immediately: Bool

        public init(readable: [Int32] = [], writable: [Int32] = [], deadline: Int64 = .max, immediately: Bool = false) {
            self.readable = readable
            self.writable = writable
            self.deadline = deadline
            self.immediately = immediately
        }
    }

    /// Runs `host` until one of its hooks returns an exit status, and returns it.
    @inlinable
    public static func run<Host: EventLoopHost>(_ host: Host) -> Int32 {
        while true {
            let now = Clock.now()
            if let status = host.turnStarts(now: now) { return status }
            let w = host.waitFor(now: now)
            // A deadline in the past means "at once" (a core answers 0 when work waits for the next turn).
            let wake = min(host.core.deadlineInPlace(), w.deadline)
            let ready = Poller.wait(
                readable: [host.socket.fd] + w.readable, writable: w.writable, timeoutMicros: w.immediately || wake <= now ? 0 : wake - now)
            if let status = host.woke(ready, now: Clock.now()) { return status }
            let t = serve(host, readable: ready.contains(host.socket.fd), now: Clock.now())
            if let status = host.turnEnds(ready, now: t) { return status }
        }
    }

    /// Steps 3 and 4 of a turn for one host: reads its socket when `readable` or when a timer is due, then runs
    /// the due timers. Returns the time the timers were judged at.
    @inlinable
    @discardableResult
    public static func serve<Host: EventLoopHost>(_ host: Host, readable: Bool, now: Int64) -> Int64 {
        if readable || now >= host.core.deadlineInPlace() {
            receive(host, now: now)
            host.afterReceive(now: now)
            host.transmit()
        }
        let t = Clock.now()
        if t >= host.core.deadlineInPlace() { host.runTimers(now: t) }
        return t
    }

    /// Feeds the core what is queued on the socket, at most `maxBatchesPerTurn` batches. A short batch means the
    /// socket was empty: no need for a call that finds nothing.
    @inlinable
    static func receive<Host: EventLoopHost>(_ host: Host, now: Int64) {
        let socket = host.socket
        let perDatagram = host.clockPerDatagram
        var batches = 0
        while batches < host.maxBatchesPerTurn {
            let n = socket.receiveBatch { bytes, from in
                guard host.admit(bytes, from: from) else { return }
                host.core.handle(bytes, from: from, now: perDatagram ? Clock.now() : now)
            }
            if n == 0 { break }
            batches += 1
            host.afterBatch()
            if n < socket.receiveBatchLimit { break }
        }
    }
}
