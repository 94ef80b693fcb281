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

    public let producer: ProducerID
    public let limits: Limits
    public private(set) var link: BrokerLink
    private var streams: [UInt8: OutStream] = [:]
    private var events = OutputQueue<LinkEvent>()
    private var transmits = OutputQueue<[UInt8]>()
    public private(set) var malformed = 0

    /// `streamKey`: the producer id's 16-byte key (`StreamKeys.streamKey`, or as `broker --issue-key` prints it).
    public init(
        producer: ProducerID, streams: [StreamDescriptor], streamKey: [UInt8], timers: Timers = Timers(), limits: Limits = Limits(), seed: UInt64
    ) {
        self.producer = producer
        self.limits = limits
        link = BrokerLink(role: .producer, producer: producer, streams: streams, streamKey: streamKey, timers: timers, seed: seed)
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
    public mutating func connect(now: Int64) { transmits.push(link.connect(now: now)) }

    public mutating func handle(_ datagram: [UInt8], from: PeerAddress, now: Int64) {
        transmits.push(contentsOf: receive(datagram[...], now: now))
    }

    public mutating func handleTimeout(now: Int64) {
        let (out, event) = link.poll(now: now)
        if let event { events.push(event) }
        transmits.push(contentsOf: out)
    }

    /// The next datagram for the broker.
    public mutating func pollTransmit() -> [UInt8]? { transmits.pop() }

    public func pollTimeout() -> Int64 { link.deadline }

    public mutating func pollEvent() -> LinkEvent? { events.pop() }

    /// The BYE that ends the session (sent by the driver as it leaves).
    public func bye() -> [UInt8] { link.bye() }

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
        let m: Message
        do { m = try Message.decode(bytes) } catch {
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
            let (out, event) = link.handle(m, now: now)
            if let event { events.push(event) }
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
                    // Stamped again: the datagram may predate this session (a reconnect, perhaps to another broker).
                    if let epoch = link.epoch { DataHeader.setOrigin(&d, ClusterKey.originTag(brokerID: epoch)) }
                    link.mediaKey?.stamp(&d)
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

}
