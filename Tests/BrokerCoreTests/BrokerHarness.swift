import BrokerCore
import SimulationSupport
import Wire
import XCTest

extension Array where Element == BrokerOutput {
    /// Control messages sent to `to`, decoded.
    func messages(to: PeerAddress) -> [Message] {
        compactMap {
            guard case .send(let a, let bytes) = $0, a == to else { return nil }
            return try? Message.decode(unsealed(bytes))
        }
    }

    /// Every datagram addressed to `to`, whatever the kind of output.
    func datagrams(to: PeerAddress) -> [[UInt8]] {
        flatMap { o -> [[UInt8]] in
            switch o {
            case .send(let a, let bytes): a == to ? [bytes] : []
            case .forward(let bytes, _, let subs): subs.contains { $0.address == to } ? [bytes] : []
            case .unicast(let bytes, _, let sub): sub.address == to ? [bytes] : []
            case .release: []
            }
        }
    }

    /// DATA datagrams (forwarded or unicast) addressed to `to`.
    func media(to: PeerAddress) -> [[UInt8]] {
        flatMap { o -> [[UInt8]] in
            switch o {
            case .forward(let bytes, _, let subs): subs.contains { $0.address == to } ? [bytes] : []
            case .unicast(let bytes, _, let sub): sub.address == to ? [bytes] : []
            case .send, .release: []
            }
        }
    }

    /// Every address a datagram of any kind goes to.
    var destinations: Set<PeerAddress> {
        var out: Set<PeerAddress> = []
        for o in self {
            switch o {
            case .send(let a, _): out.insert(a)
            case .forward(_, _, let subs): for s in subs { out.insert(s.address) }
            case .unicast(_, _, let sub): out.insert(sub.address)
            case .release: break
            }
        }
        return out
    }
}

/// Drives a `BrokerCore` with hand-made messages from raw peers, one clock for all.
struct BrokerHarness {
    var broker: BrokerCore
    var now: Int64 = 1_000_000
    /// Every event the broker reported, in order.
    var events: [BrokerEvent] = []

    init(timers: Timers = Timers(), limits: Limits = Limits(), epoch: UInt64 = 1) {
        broker = BrokerCore(timers: timers, limits: limits, epoch: epoch, cookieKey: (0x0123_4567_89ab_cdef, 0xfedc_ba98_7654_3210), publishSecret: testPublishSecret)
    }

    /// Delivers one datagram and returns what the broker wants sent.
    mutating func receive(_ bytes: [UInt8], from: PeerAddress) -> [BrokerOutput] {
        broker.handle(bytes, from: from, now: now)
        return collect()
    }

    mutating func receive(_ m: Message, from: PeerAddress) -> [BrokerOutput] { receive(answeringChallenge(m, from: from).encode(), from: from) }

    /// A HELLO with its address's cookie but no challenge gets the broker's challenge, as a peer that read the COOKIE
    /// would put it (a producer's HELLO signed with its test key is signed again): tests of what a session does need
    /// not repeat the handshake. A HELLO with a challenge, or sent as bytes, goes as it is.
    func answeringChallenge(_ m: Message, from: PeerAddress) -> Message {
        guard case .hello(var h) = m, h.challenge == 0, h.token == broker.cookie(for: from) else { return m }
        let signed = h.role == .producer && h.producer.map { h.signed(streamKey: testStreamKey($0)).proof == h.proof } == true
        h.challenge = broker.challenge(for: from, nonce: h.nonce, now: now)
        if signed, let pid = h.producer { h = h.signed(streamKey: testStreamKey(pid)) }
        return .hello(h)
    }

    /// Advances the clock and runs the broker's timers.
    mutating func advance(by micros: Int64) -> [BrokerOutput] {
        now += micros
        broker.handleTimeout(now: now)
        return collect()
    }

    /// Runs an operator's command on the broker and returns its result and what the broker wants sent.
    mutating func operate<T>(_ command: (inout BrokerCore, Int64) -> T) -> (T, [BrokerOutput]) {
        let r = command(&broker, now)
        return (r, collect())
    }

    /// What the broker handed back after an input.
    private mutating func collect() -> [BrokerOutput] {
        events += broker.drainEvents()
        return broker.drainTransmits()
    }

    /// Runs the cookie handshake for a raw peer; returns the session token.
    @discardableResult
    mutating func connect(_ from: PeerAddress, role: PeerRole, producer: ProducerID? = nil, streams: [StreamDescriptor] = [], nonce: UInt64 = 42) -> UInt64 {
        let first = receive(.hello(signedIfProducer(Hello(token: 0, nonce: nonce, role: role, producer: producer, streams: streams))), from: from)
        guard case .cookie(let cookieNonce, let token, let challenge?)? = first.messages(to: from).first else {
            XCTFail("no COOKIE with a challenge for a HELLO without one")
            return 0
        }
        XCTAssertEqual(cookieNonce, nonce)
        let hello = Hello(token: token, nonce: nonce, role: role, producer: producer, streams: streams, challenge: challenge)
        let second = receive(.hello(signedIfProducer(hello)), from: from)
        XCTAssertTrue(
            second.messages(to: from).contains {
                if case .welcome(let w) = $0 { return w.nonce == nonce } else { return false }
            }, "no WELCOME for a HELLO with the right cookie")
        return token
    }

    /// A producer's HELLO signed with its test stream key; a client's as it is.
    func signedIfProducer(_ h: Hello) -> Hello {
        guard h.role == .producer, let pid = h.producer else { return h }
        return h.signed(streamKey: testStreamKey(pid))
    }

    /// Connects a producer with a video and an audio stream.
    @discardableResult
    mutating func connectProducer(_ from: PeerAddress, _ pid: ProducerID = testProducer) -> UInt64 {
        connect(
            from, role: .producer, producer: pid,
            streams: [StreamDescriptor(index: 1, kind: .video, rateMilli: 30_000), StreamDescriptor(index: 2, kind: .audio, rateMilli: 50_000)])
    }

    /// Subscribes a connected client; returns the broker's answer to it.
    mutating func subscribe(_ from: PeerAddress, token: UInt64, _ sel: StreamID, requestID: UInt32 = 1, resume: Bool = false) -> [BrokerOutput] {
        receive(
            .subscribe(SubscriptionRequest(token: token, requestID: requestID, selector: sel, flags: resume ? SubscriptionRequest.resumeFlag : 0)),
            from: from)
    }
}
