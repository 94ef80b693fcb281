import Wire

/// What an executable tells `EventLoop` about itself: the core it drives, its socket, and the hooks where
/// executables differ (what else to wait for, which datagrams are the core's, how transmits leave, per-turn work).
/// Every hook but `transmit` has a default that does nothing, so a host writes only what it adds.
///
/// A host is a class: the loop and the executable's commands (a line typed at the prompt, an operator's action)
/// reach the same core.
public protocol EventLoopHost: AnyObject {
    associatedtype Core: ProtocolCore
    /// The core the loop feeds.
    var core: Core { get set }
    /// The socket its datagrams arrive on.
    var socket: UDPSocket { get }
    /// Most receive batches read in one turn (each `socket.receiveBatchLimit` messages): what is left waits for
    /// the next turn, so that timers, signals and other descriptors are never starved by a flood.
    var maxBatchesPerTurn: Int { get }
    /// Whether each datagram is handed to the core with the clock read as it is fed (a broker's long batches)
    /// rather than the turn's time.
    var clockPerDatagram: Bool { get }

    /// The first thing of a turn; a status to exit with ends the loop.
    func turnStarts(now: Int64) -> Int32?
    /// What this turn waits for besides the socket and the core's deadline.
    func waitFor(now: Int64) -> EventLoop.Wait
    /// What woke the loop, before the socket is read (signals, a stop pipe); a status to exit with ends the loop.
    func woke(_ ready: Set<Int32>, now: Int64) -> Int32?
    /// Whether the core takes this datagram (a client hears only its broker); may record it (a capture).
    func admit(_ bytes: [UInt8], from: PeerAddress) -> Bool
    /// After each receive batch was fed to the core (a broker forwards between batches).
    func afterBatch()
    /// After the socket was read (an ICMP refusal noticed there is told to the core).
    func afterReceive(now: Int64)
    /// Sends what the core has queued.
    func transmit()
    /// Runs the core's timers, due at `now`, and sends what they queued.
    func runTimers(now: Int64)
    /// The last thing of a turn: events, commands, pacing, other protocols. A status to exit with ends the loop.
    func turnEnds(_ ready: Set<Int32>, now: Int64) -> Int32?
}

extension EventLoopHost {
    public var maxBatchesPerTurn: Int { .max }
    public var clockPerDatagram: Bool { false }
    public func turnStarts(now: Int64) -> Int32? { nil }
    public func waitFor(now: Int64) -> EventLoop.Wait { EventLoop.Wait() }
    public func woke(_ ready: Set<Int32>, now: Int64) -> Int32? { nil }
    public func admit(_ bytes: [UInt8], from: PeerAddress) -> Bool { true }
    public func afterBatch() {}
    public func afterReceive(now: Int64) {}
    public func runTimers(now: Int64) {
        core.handleTimeout(now: now)
        transmit()
    }
    public func turnEnds(_ ready: Set<Int32>, now: Int64) -> Int32? { nil }
}
