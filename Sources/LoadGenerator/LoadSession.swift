import ClientCore
import Platform
import Wire

/// One subscriber session of `loadgen --sessions`: its own socket and protocol core, served by the shared
/// `EventLoop` turn (the runner waits on every session's socket at once).
final class LoadSession: EventLoopHost {
    let socket: UDPSocket
    var core: ClientSession
    let joinedAt: Int64
    var firstFrame: [StreamID: Int64] = [:]
    /// The core's deadline as of its last input (recomputing a thousand of them per wake-up cost more than the work).
    var deadline: Int64 = 0
    /// The broker the socket is connected to, for ICMP port unreachable (several brokers only).
    var connection: BrokerConnection
    var failover = SessionFailoverFigures()
    /// The one broker, used until the core names one.
    let fallback: PeerAddress

    init(socket: UDPSocket, core: ClientSession, joinedAt: Int64, fallback: PeerAddress) {
        self.socket = socket
        self.core = core
        self.joinedAt = joinedAt
        self.fallback = fallback
        connection = BrokerConnection(socket: socket, broker: core.broker)
    }

    /// The broker the session uses now.
    var broker: PeerAddress { core.broker ?? fallback }

    func admit(_ bytes: [UInt8], from: PeerAddress) -> Bool { from == broker }

    /// Tells the core when the socket reported the broker unreachable (ICMP port unreachable).
    func afterReceive(now: Int64) {
        guard connection.refused(socket) else { return }
        core.unreachable(now: now)
        transmit()
    }

    /// Sends what the core has queued, to its current broker.
    func transmit() {
        let b = broker
        connection.follow(socket, to: b)
        while let d = core.pollTransmit() { socket.send(d, to: b) }
    }
}
