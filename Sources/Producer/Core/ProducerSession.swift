import Wire

/// The producer's protocol core: one session to the broker, per-stream sequence numbers, frame numbers and
/// retransmit buffers. Fed with frames, datagrams and `now`; returns datagrams for the broker.
public struct ProducerSession: ProtocolCore, Sendable {
    public struct StreamCounters: Sendable, Equatable {
        public var frames = 0
        public var datagrams = 0
        public var bytes = 0
        public var retransmitted = 0
        public var nackedMissing = 0
    }

    struct OutStream {
        var descriptor: StreamDescriptor
        var nextSequence: UInt32
        var nextFrame: UInt32 = 1
        var buffer: RetransmitBuffer
        var counters = StreamCounters()
    }

    /// Media older than this is not sent when a session comes up: no longer live, and a long outage must not
    /// empty the whole retransmit buffer at once (receivers may still NACK it).
    static let heldMaxAge: Int64 = 150_000
    /// What was sent this long before the broker said it leaves goes to the next broker too: the old one may not
    /// have passed it on (the peers of a draining broker drop their links to it on its BYE). Not after a broker
    /// died or hung: what it lost is fetched through the new origin, and resending it too lost frames in the hang
    /// simulation at 10% loss.
    static let resentBeforeMove: Int64 = 100_000

    public let producer: ProducerID
    public let limits: Limits
    public internal(set) var link: BrokerLink
    private var streams: [UInt8: OutStream] = [:]
    var events = OutputQueue<LinkEvent>()
    var transmits = OutputQueue<[UInt8]>()
    public private(set) var malformed = 0
    /// The brokers this producer may use, and with more than one its moves (see `ProducerSession+Failover.swift`).
    var failover: BrokerFailover
    /// Since when sent media goes to the next broker again once its session is up (`.max`: none; see `sendHeld`).
    var resendSince: Int64 = .max
    /// Whether a HELLO was ever sent, and whether the announced streams changed while a handshake was under way.
    private var helloSent = false
    private var reannounceWhenConnected = false

    /// `streamKey`: the producer id's 16-byte key (`StreamKeys.streamKey`, or as `broker --issue-key` prints it).
    public init(
        producer: ProducerID, streams: [StreamDescriptor], streamKey: [UInt8], timers: Timers = Timers(), limits: Limits = Limits(),
        brokers: [PeerAddress] = [], firstBroker: Int? = nil, seed: UInt64
    ) {
        self.producer = producer
        failover = BrokerFailover(brokers: brokers, seed: seed, first: firstBroker)
        self.limits = limits
        link = BrokerLink(role: .producer, producer: producer, streams: streams, streamKey: streamKey, timers: timers, seed: seed)
        if brokers.count > 1 { link.heartbeatCap = timers.failoverProducerHeartbeat }
        var rng = SplitMix64(seed: seed ^ 0x5eed)
        for d in streams {
            // A random first sequence number, so a restarted producer is not mistaken for old duplicates.
            self.streams[d.index] = OutStream(
                descriptor: d, nextSequence: UInt32(truncatingIfNeeded: rng.next()), buffer: RetransmitBuffer(bytes: limits.retransmitBufferBytes))
        }
    }

    public func counters(_ index: UInt8) -> StreamCounters? { streams[index]?.counters }

    // MARK: The core contract

    /// Starts the session: the first HELLO.
    public mutating func connect(now: Int64) {
        helloSent = true
        reannounceWhenConnected = false
        failover.connecting(now: now)
        transmits.push(link.connect(now: now))
    }

    public mutating func handle(_ datagram: [UInt8], from: PeerAddress, now: Int64) {
        forgiveStall(now: now)
        transmits.push(contentsOf: receive(datagram[...], now: now))
    }

    public mutating func handleTimeout(now: Int64) {
        forgiveStall(now: now)
        let (out, event) = link.poll(now: now)
        transmits.push(contentsOf: out)
        if let event { linkEvent(event, now: now) }
        transmits.push(contentsOf: failoverDue(now: now))
    }

    /// The next datagram for the broker.
    public mutating func pollTransmit() -> [UInt8]? { transmits.pop() }

    public func pollTimeout() -> Int64 { min(link.deadline, failoverDeadline) }

    public mutating func pollEvent() -> LinkEvent? { events.pop() }

    /// The BYE that ends the session (sent by the driver as it leaves).
    public func bye() -> [UInt8] { link.bye() }

    /// Announces only the streams whose indices are in `online`: a live source that ended takes its stream offline
    /// (the broker marks a stream its producer no longer announces offline) and one that is back brings it online,
    /// without ending the session. A HELLO on the session carries the new list; while not connected, the HELLO
    /// being retried carries it.
    public mutating func announce(online: Set<UInt8>, now: Int64) {
        let descriptors = streams.keys.sorted().filter(online.contains).compactMap { streams[$0]?.descriptor }
        guard descriptors != link.streams else { return }
        link.streams = descriptors
        reannounce(now: now)
    }

    /// Sends the current list: at once when connected; once connected when a handshake is under way (its HELLO
    /// may already be answered with the old list); nothing before the first HELLO, which will carry it.
    private mutating func reannounce(now: Int64) {
        if link.isConnected {
            connect(now: now)
        } else if helloSent {
            reannounceWhenConnected = true
        }
    }

    /// Announces `rateMilli` as the rate of stream `index` (a live source's measured rate), with a HELLO on the
    /// session if the stream is announced and the rate changed by more than a tenth.
    public mutating func setRate(_ rateMilli: UInt32, stream index: UInt8, now: Int64) {
        guard var s = streams[index] else { return }
        let old = Double(s.descriptor.rateMilli)
        guard abs(Double(rateMilli) - old) > old / 10 else { return }
        s.descriptor.rateMilli = rateMilli
        streams[index] = s
        let online = announced
        guard online.contains(index) else { return }
        link.streams = streams.keys.sorted().filter(online.contains).compactMap { streams[$0]?.descriptor }
        reannounce(now: now)
    }

    /// The rate announced for stream `index` (thousandths of a frame per second).
    public func rateMilli(_ index: UInt8) -> UInt32? { streams[index]?.descriptor.rateMilli }

    /// The indices of the streams announced now.
    public var announced: Set<UInt8> { Set(link.streams.map(\.index)) }

    /// Chunks one frame and queues its datagrams (none while not connected: live media is not queued).
    public mutating func send(frame: [UInt8], stream index: UInt8, captureTime: UInt64, now: Int64) {
        transmits.push(contentsOf: chunk(frame: frame, stream: index, captureTime: captureTime, now: now))
    }

    private mutating func chunk(frame: [UInt8], stream index: UInt8, captureTime: UInt64, now: Int64) -> [[UInt8]] {
        // Out of the table while changed, so the retransmit ring is mutated in place rather than copied.
        guard var s = streams.removeValue(forKey: index) else { preconditionFailure("unknown stream index \(index)") }
        precondition(!frame.isEmpty && frame.count <= limits.maxFrameBytes)
        let id = StreamID(producer: producer, index: index)
        var datagrams = Chunker.chunk(frame: frame, stream: id, frameNumber: s.nextFrame, firstSequence: s.nextSequence, captureTime: captureTime)
        if let key = link.mediaKey, let epoch = link.epoch {
            let origin = ClusterKey.originTag(brokerID: epoch)
            for i in datagrams.indices {
                DataHeader.setOrigin(&datagrams[i], origin)
                key.stamp(&datagrams[i])
            }
        }
        s.nextFrame &+= 1
        for d in datagrams {
            s.buffer.insert(sequence: s.nextSequence, datagram: d, now: now)
            s.nextSequence &+= 1
        }
        s.counters.frames += 1
        guard link.isConnected else {
            streams[index] = s
            return []
        }
        s.counters.datagrams += datagrams.count
        s.counters.bytes += datagrams.reduce(0) { $0 + $1.count }
        streams[index] = s
        return datagrams
    }

    private mutating func receive(_ bytes: ArraySlice<UInt8>, now: Int64) -> [[UInt8]] {
        // A control message must be the broker's, under this session's key: a spoofed one is dropped before it counts
        // as a sign of life or changes anything.
        guard let body = link.open(bytes) else { return [] }
        let m: Message
        do { m = try Message.decode(body) } catch {
            malformed += 1
            return []
        }
        link.heard(now: now)
        switch m {
        case .nack(let n):
            return answer(n, now: now)
        case .error(let e) where e.requestID == 0:
            // The broker refused our HELLO (full, or this id is blocked); the link keeps retrying with backoff.
            events.push(.refused(e.code, reason: e.reason))
            return []
        default:
            let wasConnected = link.isConnected
            let (out, event) = link.handle(m, now: now)
            if wasConnected && !link.isConnected { failover.connecting(now: now) }  // the broker forgot us (it restarted)
            if case .brokerLeaving? = event { resendSince = now - Self.resentBeforeMove }
            if let event { linkEvent(event, now: now) }
            if case .connected? = event {
                let held = sendHeld(now: now)
                if reannounceWhenConnected { connect(now: now) }
                return out + held
            }
            return out
        }
    }

    private mutating func answer(_ n: Nack, now: Int64) -> [[UInt8]] {
        guard n.stream.producer == producer, var s = streams.removeValue(forKey: n.stream.index) else { return [] }
        let peerRTT = Int64(n.rttMicros)
        // Not the same datagram twice within one round-trip estimate.
        let minInterval = max(link.rtt.hasSample ? link.rtt.smoothed : 0, peerRTT)
        var out: [[UInt8]] = []
        var budget = s.buffer.capacity  // never resend more than the buffer holds for one NACK
        for r in n.ranges {
            var seq = r.start
            for _ in 0..<Int(r.count) {
                guard budget > 0 else { break }
                budget -= 1
                if var d = s.buffer.resend(seq, now: now, minInterval: minInterval) {
                    restamp(&d)
                    out.append(d)
                    s.counters.retransmitted += 1
                } else if !s.buffer.contains(seq) {
                    s.counters.nackedMissing += 1
                }
                seq &+= 1
            }
        }
        streams[n.stream.index] = s
        return out
    }

    /// Stamped again for this session: the datagram may predate it (a reconnect, perhaps to another broker).
    private func restamp(_ d: inout [UInt8]) {
        if let epoch = link.epoch { DataHeader.setOrigin(&d, ClusterKey.originTag(brokerID: epoch)) }
        link.mediaKey?.stamp(&d)
    }

    /// The session is up (again): the frames chunked while it was being made (a failover's move takes a round trip
    /// or two), and after a BYE those sent just before it, go out now as first sends, instead of waiting for a receiver
    /// to see the next frame and NACK them, which cost the viewers a frame interval and a round trip or more (found
    /// by the drain simulation).
    private mutating func sendHeld(now: Int64) -> [[UInt8]] {
        let since = max(min(failover.connectingSince, resendSince), now - Self.heldMaxAge)
        resendSince = .max
        var out: [[UInt8]] = []
        for index in streams.keys.sorted() {
            guard var s = streams.removeValue(forKey: index) else { continue }
            // Newest first, back to the first datagram sent before `since` (sent in order, so older ones are too).
            var recent: [UInt32] = []
            var seq = s.nextSequence
            for _ in 0..<s.buffer.capacity {
                seq &-= 1
                guard let e = s.buffer.entry(seq), e.lastSent >= since else { break }
                recent.append(seq)
            }
            for seq in recent.reversed() {
                guard var d = s.buffer.resend(seq, now: now, minInterval: 0) else { continue }
                DataHeader.clearFlag(DataHeader.retransmitFlag, in: &d)
                restamp(&d)
                s.counters.datagrams += 1
                s.counters.bytes += d.count
                out.append(d)
            }
            streams[index] = s
        }
        return out
    }

}
