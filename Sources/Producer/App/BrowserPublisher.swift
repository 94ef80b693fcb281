import Platform
import ProducerCore
import Wire

/// One producer session run for a publish page: its own UDP socket to the broker and a `ProducerSession` that
/// proves the stream key the page gave. The key lives in the session and nowhere else.
final class BrowserPublisher {
    let producer: ProducerID
    let socket: UDPSocket
    let sender: BatchSender
    var core: ProducerSession
    var connection: BrokerConnection
    let config: PublishGateway.Config
    let log: Logger
    var batcher: OpusBatcher?
    private(set) var framesSent = 0
    private(set) var chunksSent = 0
    /// Frames refused: not a JPEG, or larger than a frame may be.
    private(set) var badFrames = 0

    init(request: PublishRequest, config: PublishGateway.Config, log: Logger, now: Int64) throws(SystemError) {
        producer = request.producer
        self.config = config
        self.log = log
        let first = config.brokers[0]
        socket = try UDPSocket(bind: first.isIPv6 ? PeerAddress(ipv6High: 0, low: 0, port: 0) : PeerAddress(ipv4: 0, port: 0), batch: 16)
        sender = BatchSender(socket: socket)
        core = ProducerSession(
            producer: request.producer, streams: request.streams, streamKey: request.streamKey, timers: config.timers, limits: config.limits,
            brokers: config.brokers, firstBroker: config.firstBroker, seed: Clock.randomSeed())
        connection = BrokerConnection(socket: socket, broker: config.brokers.count > 1 ? core.broker : nil)
        if request.channels > 0 { batcher = OpusBatcher(channels: request.channels) }
        core.connect(now: now)
        flush()
    }

    var broker: PeerAddress { core.broker ?? config.brokers[0] }

    /// Reads the broker's datagrams, runs the session's timers (one turn of `EventLoop`, whose loop is the
    /// gateway's); returns the session's events.
    func service(ready: Set<Int32>, now: Int64) -> [LinkEvent] {
        EventLoop.serve(self, readable: ready.contains(socket.fd), now: now)
        flush()
        var events: [LinkEvent] = []
        while let e = core.pollEvent() { events.append(e) }
        return events
    }

    /// A JPEG from the page; its capture time is its arrival here (docs/PUBLISH.md says why).
    func sendFrame(_ jpeg: ArraySlice<UInt8>, now: Int64) {
        guard jpeg.count >= 4, jpeg.count <= config.limits.maxFrameBytes, jpeg.first == 0xFF, jpeg[jpeg.startIndex + 1] == 0xD8 else {
            badFrames += 1
            return
        }
        core.send(frame: Array(jpeg), stream: StreamKind.video.rawValue, captureTime: Clock.wallMicros(), now: now)
        framesSent += 1
        flush()
    }

    /// One Opus packet from the page; every fifth completes a chunk, which is sent.
    func sendPacket(_ packet: ArraySlice<UInt8>, now: Int64) {
        guard var b = batcher else { return }
        let chunk = b.add(packet, arrival: Clock.wallMicros())
        batcher = b
        guard let chunk else { return }
        core.send(frame: chunk.chunk, stream: StreamKind.opus.rawValue, captureTime: chunk.captureTime, now: now)
        chunksSent += 1
        flush()
    }

    /// Ends the session with the broker.
    func leave() {
        if core.link.isConnected { transmit([core.bye()]) }
    }

    func flush() {
        var out: [[UInt8]] = []
        while let d = core.pollTransmit() { out.append(d) }
        transmit(out)
    }

    private func transmit(_ datagrams: [[UInt8]]) {
        if let left = connection.follow(socket, to: broker) { log.warning("broker \(left) is gone; \(producer) now on \(broker)") }
        sender.sendAll(datagrams, to: broker)
    }
}

extension BrowserPublisher: EventLoopHost {
    func admit(_ bytes: [UInt8], from: PeerAddress) -> Bool { from == broker }

    func afterReceive(now: Int64) {
        if connection.refused(socket) { core.unreachable(now: now) }
    }

    func transmit() { flush() }
}
