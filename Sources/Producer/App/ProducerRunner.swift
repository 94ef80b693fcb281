import Config
import Platform
import ProducerCore
import Wire

struct ProducerConfig {
    /// The first broker of `brokers`.
    var broker: PeerAddress
    /// Every broker of BROKER_ADDRESS: with more than one the producer fails over between them.
    var brokers: [PeerAddress] = []
    /// The index in `brokers` to start on (BROKER_PICK=first: 0); nil: a random one.
    var firstBroker: Int?
    var bind: PeerAddress?
    var producer: ProducerID
    /// FRAMES: a folder, or a live source.
    var frames: MediaSourceAddress?
    /// AUDIO: a folder, or a live source; nil: no audio stream.
    var audio: MediaSourceAddress?
    var rate: Double
    var delay: Double
    var syntheticBytes: Int?
    var stopAfter: Int?
    /// The producer id's stream key (16 bytes).
    var streamKey: [UInt8]
    var timers = Timers()
    var limits = Limits()
}

/// The producer's driver: paces frames against absolute time, feeds the core, sends what it returns.
// Each runner is used by exactly one thread.
final class ProducerRunner: @unchecked Sendable {
    let config: ProducerConfig
    let log: Logger
    let socket: UDPSocket
    let sender: BatchSender
    /// Readable when the producer must leave (SIGINT/SIGTERM).
    let stopFD: Int32
    var core: ProducerSession
    var video: MediaFolder?
    var audio: MediaFolder?
    /// FRAMES and AUDIO when they are live sources (each read on a thread of its own).
    var liveVideo: LiveSource?
    var liveAudio: LiveSource?
    /// RATE as a cap on a live video source.
    var rateCap: RateCap
    /// The live video source's measured rate, announced in place of RATE.
    var rateMeter = RateMeter()
    /// Frames over the cap, and frames the feed dropped, as last logged.
    var loggedLiveDrops = (cap: 0, feed: 0)
    var lastLiveDropLog: Int64 = 0
    /// The last refusal logged, so a HELLO retried every 2 s against a wrong key says so once, not forever.
    var lastRefusal: String?
    /// The broker the socket is connected to, for ICMP port unreachable (failover only).
    var connection: BrokerConnection
    /// The broker the producer uses now.
    var broker: PeerAddress { core.broker ?? config.broker }

    init(config: ProducerConfig, log: Logger, stopFD: Int32) throws(SystemError) {
        self.config = config
        self.log = log
        self.stopFD = stopFD
        let bind = config.bind ?? (config.broker.isIPv6 ? PeerAddress(ipv6High: 0, low: 0, port: 0) : PeerAddress(ipv4: 0, port: 0))
        socket = try UDPSocket(bind: bind, batch: 16)
        sender = BatchSender(socket: socket)
        var streams = [StreamDescriptor(index: StreamKind.video.rawValue, kind: .video, rateMilli: UInt32(config.rate * 1000))]
        if let a = config.audio {
            // A folder sends one chunk a second; a live source one per AudioChunker.defaultTargetMicros.
            let chunks = a.isLive ? 1_000_000 / AudioChunker.defaultTargetMicros : 1
            streams.append(StreamDescriptor(index: StreamKind.audio.rawValue, kind: .audio, rateMilli: UInt32(chunks * 1000)))
        }
        core = ProducerSession(
            producer: config.producer, streams: streams, streamKey: config.streamKey, timers: config.timers, limits: config.limits,
            brokers: config.brokers, firstBroker: config.firstBroker, seed: Clock.randomSeed())
        connection = BrokerConnection(socket: socket, broker: config.brokers.count > 1 ? core.broker : nil)
        rateCap = RateCap(rate: config.rate)
        switch config.frames {
        case .folder(let path)?: video = MediaFolder(path: path, prefix: "frame", suffix: ".jpg", log: log)
        case let live?: liveVideo = LiveSource(address: live, media: .jpeg, setting: "FRAMES", maxFrameBytes: config.limits.maxFrameBytes, log: log)
        case nil: break
        }
        switch config.audio {
        case .folder(let path)?: audio = MediaFolder(path: path, prefix: "audio", suffix: ".mp3", log: log)
        case let live?: liveAudio = LiveSource(address: live, media: .mp3, setting: "AUDIO", maxFrameBytes: config.limits.maxFrameBytes, log: log)
        case nil: break
        }
        // A live source's stream is announced once the source delivers (see `handleLive`).
        var paced: Set<UInt8> = [StreamKind.video.rawValue]
        if liveVideo != nil { paced.remove(StreamKind.video.rawValue) }
        if config.audio != nil && liveAudio == nil { paced.insert(StreamKind.audio.rawValue) }
        core.announce(online: paced, now: 0)
    }

    /// Sends datagrams to the broker: a frame's chunks go as GSO messages.
    func send(_ datagrams: [[UInt8]]) {
        followBroker()
        guard !datagrams.isEmpty else { return }
        sender.sendAll(datagrams, to: broker)
    }

    /// Follows the core to its new broker after a move, and says so.
    func followBroker() {
        guard let left = connection.follow(socket, to: broker) else { return }
        log.warning("broker \(left) is gone; now on \(broker), announcing the streams there")
    }

    /// Frames and audio chunks against absolute time (set when `run` starts).
    var pacer = Pacer(rate: 1, start: 0)
    var pacedVideo = false
    var synthetic: [UInt8] = []
    var sent = 0
    var lastWarnEmpty: Int64 = 0
    /// Set once the last frame is sent: the producer lingers until then so its last frames can still be repaired.
    var leaveAt: Int64?

    func run() -> Int32 {
        if let n = config.syntheticBytes {
            var rng = SplitMix64(seed: UInt64(config.producer.rawValue))
            synthetic = (0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        } else {
            if video?.rescan() == 0 { log.warning("no frame<N>.jpg files in \(video!.path) yet; waiting for some") }
            if audio?.rescan() == 0 { log.warning("no audio<N>.mp3 files in \(audio!.path) yet") }
        }
        let rate = liveVideo == nil ? "at \(config.rate) fps" : "live, at most \(config.rate) fps"
        log.info("producer \(config.producer) -> \(broker) \(rate)" + (config.delay > 0 ? " after \(config.delay) s" : ""))
        startLiveSources()
        pacedVideo = config.syntheticBytes != nil || video != nil
        let now = Clock.now()
        core.connect(now: now)
        send(core.drainTransmits())
        pacer = Pacer(rate: config.rate, start: now + Int64(config.delay * 1_000_000))
        return EventLoop.run(self)
    }
}

extension ProducerRunner: EventLoopHost {
    func waitFor(now: Int64) -> EventLoop.Wait {
        EventLoop.Wait(readable: [stopFD] + liveWakeFDs, deadline: nextMedia)
    }

    /// The next frame or audio chunk due by the pacer.
    private var nextMedia: Int64 {
        let nextFrame = pacedVideo ? pacer.nextFrame : .max
        return audio != nil ? min(nextFrame, pacer.nextAudio) : nextFrame
    }

    func woke(_ ready: Set<Int32>, now: Int64) -> Int32? {
        guard ready.contains(stopFD) else { return nil }
        log.info("stopping: telling the broker")
        send([core.bye()])
        return 0
    }

    func admit(_ bytes: [UInt8], from: PeerAddress) -> Bool { from == broker }

    func afterReceive(now: Int64) {
        if connection.refused(socket) { core.unreachable(now: now) }
    }

    func transmit() { send(core.drainTransmits()) }

    func turnEnds(_ ready: Set<Int32>, now: Int64) -> Int32? {
        logEvents()
        if !liveWakeFDs.isEmpty, leaveAt == nil {
            sent += handleLive(now: now)
            if let stop = config.stopAfter, sent >= stop {
                log.info("sent \(sent) frames; leaving once the last ones can no longer be asked for")
                leaveAt = now + 2 * config.timers.latencyBudget
            }
        }
        if let l = leaveAt {
            // Leaving: live frames are no longer sent, but taken so their wake-ups do not spin the loop.
            for source in [liveVideo, liveAudio] { _ = source?.feed.take() }
            if now >= l {
                send([core.bye()])
                return 0
            }
            pacer.stopMedia(now: now)
            return nil
        }
        if pacedVideo, now >= pacer.nextFrame { sendFrame(now: now) }
        if audio != nil, now >= pacer.nextAudio {
            if let a = audio!.next(limit: config.limits.maxFrameBytes) {
                core.send(frame: a, stream: StreamKind.audio.rawValue, captureTime: Clock.wallMicros(), now: now)
                send(core.drainTransmits())
            }
            pacer.audioDone(now: now)
        }
        return nil
    }

    private func sendFrame(now: Int64) {
        if let behind = pacer.resyncIfFarBehind(now: now) {
            log.warning("\(behind / 1000) ms behind schedule; resynchronising")
        }
        let frame: [UInt8]?
        if config.syntheticBytes != nil { frame = synthetic } else { frame = video!.next(limit: config.limits.maxFrameBytes) }
        if let f = frame {
            core.send(frame: f, stream: StreamKind.video.rawValue, captureTime: Clock.wallMicros(), now: now)
            send(core.drainTransmits())
            sent += 1
        } else if now - lastWarnEmpty > 10_000_000 {
            lastWarnEmpty = now
            log.warning("nothing to send: no readable frame<N>.jpg in \(video!.path)")
        }
        pacer.frameDone()
        if let stop = config.stopAfter, sent >= stop, leaveAt == nil {
            // Linger for two latency budgets so the last frames can still be repaired, then leave.
            log.info("sent \(sent) frames; leaving once the last ones can no longer be asked for")
            leaveAt = now + 2 * config.timers.latencyBudget
        }
    }

    private func logEvents() {
        while let e = core.pollEvent() {
            switch e {
            case .connected(let epoch, let fresh):
                lastRefusal = nil
                log.info("connected to broker \(broker) (epoch \(String(epoch, radix: 16))\(fresh ? "" : ", session kept"))")
            case .lost: log.warning("no answer from broker \(broker); reconnecting")
            case .brokerLeaving: log.warning("broker \(broker) is shutting down; will reconnect")
            case .disconnected: log.warning("broker \(broker) ended this session (operator disconnect); not reconnecting")
            case .refused(let code, let reason):
                let text = "broker \(broker) refused producer \(config.producer) (\(code)): \(reason)"
                if text != lastRefusal { log.error(text + "; retrying") }
                lastRefusal = text
            }
        }
    }

}
