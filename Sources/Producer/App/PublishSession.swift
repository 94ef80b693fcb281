import HTTP
import Platform
import ProducerCore
import WebSocket
import Wire

/// One publish page's WebSocket: waits for its `start` request, runs a `BrowserPublisher` for it, passes frames
/// and Opus packets on, and tells the page where it stands.
final class PublishSession {
    /// First byte of a binary message from the page.
    enum Tag: UInt8 {
        case jpeg = 1
        case opus = 2
    }

    let connection: WebSocketConnection
    let peer: PeerAddress?
    let openedAt: Int64
    private(set) var state = PublishState.idle
    private(set) var publisher: BrowserPublisher?
    /// The broker accepted the session once (a later "connecting" is a move to another broker, not a refusal).
    private var wasLive = false
    /// When the broker must have answered the HELLO by.
    private var connectDeadline: Int64 = .max
    /// Binary messages that were neither a JPEG nor an Opus packet, or came before the session was live.
    private(set) var ignoredMessages = 0

    init(_ connection: WebSocketConnection, peer: PeerAddress?, now: Int64) {
        self.connection = connection
        self.peer = peer
        openedAt = now
    }

    var producer: ProducerID? { publisher?.producer }
    var readDescriptors: [Int32] { [connection.fd] + (publisher.map { [$0.socket.fd] } ?? []) }
    /// The next time `service` has something to do without a read: the broker session's timers, the connect
    /// deadline, the `start` deadline; a live page's silence is checked at least once a second (the loop's cap).
    var nextDeadline: Int64 {
        min(publisher?.core.pollTimeout() ?? .max, state == .connecting ? connectDeadline : .max, state == .idle ? openedAt + 10_000_000 : .max)
    }

    /// Tells the page where it stands.
    func say(_ s: PublishState, _ message: String) {
        state = s
        connection.send(WebSocketFrame.text(s.json(message)), droppable: false)
    }

    /// Reads the page and the broker. `start` asks the gateway whether the id may go live from here.
    func service(ready: Set<Int32>, now: Int64, gateway: PublishGateway) {
        if ready.contains(connection.fd) {
            for m in connection.receive(upTo: gateway.limits.readPerTurn, now: now) {
                switch m {
                case .text(let line): start(line, now: now, gateway: gateway)
                case .binary(let bytes): media(bytes, now: now)
                default: break
                }
            }
        }
        if let p = publisher {
            for e in p.service(ready: ready, now: now) { linkEvent(e, now: now, gateway: gateway) }
        }
        if state == .connecting && !wasLive && now >= connectDeadline {
            fail(.error, "No answer from the broker at \(publisher?.broker.description ?? "?"); is it running?", now: now, gateway: gateway)
        }
        if state == .idle && now >= openedAt + 10_000_000 { connection.startClose(code: 1008, reason: "no start request", now: now) }
        if state == .live && now - max(connection.lastHeard, openedAt) >= gateway.limits.pageSilence {
            fail(.error, "The page sent nothing for \(gateway.limits.pageSilence / 1_000_000) s; ended.", now: now, gateway: gateway)
        }
        if connection.wantsWrite { connection.flush() }
        connection.expire(now: now)
    }

    private func start(_ line: String, now: Int64, gateway: PublishGateway) {
        guard state == .idle else { return }
        let request: PublishRequest
        switch PublishRequest.parse(line) {
        case .failure(let e): return fail(.error, e.message, now: now, gateway: gateway)
        case .success(let r): request = r
        }
        if let refusal = gateway.refusal(for: request.producer) { return fail(.error, refusal, now: now, gateway: gateway) }
        do {
            publisher = try BrowserPublisher(request: request, config: gateway.config, log: gateway.log, now: now)
        } catch {
            return fail(.error, "The producer cannot open a socket: \(error)", now: now, gateway: gateway)
        }
        connectDeadline = now + gateway.limits.connectTimeout
        let sound = request.channels == 0 ? "no sound" : "Opus sound"
        gateway.log.info("\(request.producer) from \(peer?.description ?? "?") connecting to \(publisher!.broker) (\(request.rate) fps, \(sound))")
        say(.connecting, "Connecting \(request.producer) to the broker…")
    }

    private func media(_ bytes: [UInt8], now: Int64) {
        // While the session moves to another broker the page keeps sending: the producer session holds what it is
        // given then and sends it once the new broker welcomes it.
        guard state == .live || (state == .connecting && wasLive), let p = publisher, let first = bytes.first, let tag = Tag(rawValue: first) else {
            ignoredMessages += 1
            return
        }
        switch tag {
        case .jpeg: p.sendFrame(bytes[1...], now: now)
        case .opus: p.sendPacket(bytes[1...], now: now)
        }
    }

    private func linkEvent(_ e: LinkEvent, now: Int64, gateway: PublishGateway) {
        guard let p = publisher else { return }
        switch e {
        case .connected:
            if state != .live {
                wasLive = true
                gateway.log.info("\(p.producer) is live on broker \(p.broker)")
                say(.live, "Live: \(p.producer) is on the air.")
            }
        case .refused(let code, let reason):
            gateway.log.warning("broker \(p.broker) refused \(p.producer) (\(code)): \(reason)")
            fail(.refused, "The broker refused \(p.producer): \(reason). Check the producer id and stream key.", now: now, gateway: gateway)
        case .lost:
            gateway.log.warning("no answer from broker \(p.broker) for \(p.producer); reconnecting")
            say(.connecting, "No answer from broker \(p.broker); reconnecting…")
        case .brokerLeaving: say(.connecting, "Broker \(p.broker) is shutting down; reconnecting…")
        case .disconnected: fail(.error, "The operator ended this session.", now: now, gateway: gateway)
        }
    }

    /// Tells the page, ends the broker session and closes the socket once the message is out.
    private func fail(_ s: PublishState, _ message: String, now: Int64, gateway: PublishGateway) {
        if s == .error { gateway.log.warning("\(peer?.description ?? "?"): \(message)") }
        say(s, message)
        end(now: now)
    }

    /// Ends the broker session (BYE if it is up) and starts closing the WebSocket.
    func end(now: Int64) {
        publisher?.leave()
        publisher = nil
        connection.startClose(code: 1000, reason: "", now: now)
    }
}
