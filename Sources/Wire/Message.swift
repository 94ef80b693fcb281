/// Message type byte (offset 3 of every datagram).
public enum MessageType: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case hello = 1
    case cookie = 2
    case welcome = 3
    case heartbeat = 4
    case heartbeatAck = 5
    case subscribe = 6
    case unsubscribe = 7
    case ack = 8
    case error = 9
    case data = 10
    case nack = 11
    case streamStatus = 12
    case listRequest = 13
    case listReply = 14
    case bye = 15
    case peerHello = 16
    case peerAnnounce = 17
    case peerInterest = 18
    case peerBlocks = 19

    public var description: String {
        switch self {
        case .hello: "HELLO"
        case .cookie: "COOKIE"
        case .welcome: "WELCOME"
        case .heartbeat: "HEARTBEAT"
        case .heartbeatAck: "HEARTBEAT_ACK"
        case .subscribe: "SUBSCRIBE"
        case .unsubscribe: "UNSUBSCRIBE"
        case .ack: "ACK"
        case .error: "ERROR"
        case .data: "DATA"
        case .nack: "NACK"
        case .streamStatus: "STREAM_STATUS"
        case .listRequest: "LIST_REQUEST"
        case .listReply: "LIST_REPLY"
        case .bye: "BYE"
        case .peerHello: "PEER_HELLO"
        case .peerAnnounce: "PEER_ANNOUNCE"
        case .peerInterest: "PEER_INTEREST"
        case .peerBlocks: "PEER_BLOCKS"
        }
    }

    /// Broker-to-broker messages, tagged with the cluster key.
    public var isPeer: Bool { rawValue >= 16 }
}

public enum PeerRole: UInt8, Sendable {
    case producer = 1
    case client = 2
    /// Another broker of the cluster (never in a HELLO: brokers meet with PEER_HELLO).
    case broker = 3
}

/// A stream a producer announces in its HELLO.
public struct StreamDescriptor: Equatable, Sendable {
    public var index: UInt8
    public var kind: StreamKind
    /// Frames per second times 1000.
    public var rateMilli: UInt32
    public init(index: UInt8, kind: StreamKind, rateMilli: UInt32) {
        self.index = index
        self.kind = kind
        self.rateMilli = rateMilli
    }
}

public struct Hello: Equatable, Sendable {
    public var token: UInt64
    public var nonce: UInt64
    public var role: PeerRole
    public var producer: ProducerID?
    public var streams: [StreamDescriptor]
    /// A producer's proof that it holds its stream key (`StreamKeys.helloProof` over `signedBytes`), 16 bytes
    /// after the descriptors; empty for a client.
    public var proof: [UInt8]
    /// The challenge of the broker's COOKIE that answered this attempt (0: none yet). A producer's proof covers it,
    /// so a captured HELLO is worth nothing at another broker or once the challenge is stale.
    public var challenge: UInt64
    public init(
        token: UInt64, nonce: UInt64, role: PeerRole, producer: ProducerID? = nil, streams: [StreamDescriptor] = [], proof: [UInt8] = [],
        challenge: UInt64 = 0
    ) {
        self.token = token
        self.nonce = nonce
        self.challenge = challenge
        self.role = role
        self.producer = producer
        self.streams = streams
        self.proof = proof
    }
}

public struct Welcome: Equatable, Sendable {
    public var nonce: UInt64
    public var epoch: UInt64
    public var heartbeatMillis: UInt32
    public var leaseMisses: UInt8
    public init(nonce: UInt64, epoch: UInt64, heartbeatMillis: UInt32, leaseMisses: UInt8) {
        self.nonce = nonce
        self.epoch = epoch
        self.heartbeatMillis = heartbeatMillis
        self.leaseMisses = leaseMisses
    }
}

/// SUBSCRIBE and UNSUBSCRIBE share this body.
public struct SubscriptionRequest: Equatable, Sendable {
    public var token: UInt64
    public var requestID: UInt32
    public var selector: StreamID
    /// Bit 0: resume — keep the subscription even while the stream is offline (used after reconnecting).
    public var flags: UInt8
    public init(token: UInt64, requestID: UInt32, selector: StreamID, flags: UInt8 = 0) {
        self.token = token
        self.requestID = requestID
        self.selector = selector
        self.flags = flags
    }
    public static let resumeFlag: UInt8 = 1
    public var isResume: Bool { flags & Self.resumeFlag != 0 }
}

public enum AckStatus: UInt8, Sendable {
    /// Done; the stream (or at least one stream of the producer) is online.
    case online = 0
    /// Done; nothing matching is online now, the subscription waits for it.
    case offline = 1
    /// Done; no stream it names is known to the broker yet (its producer has never been online there): the
    /// subscription waits, and frames follow when the producer comes online.
    case waiting = 2
}

public struct Ack: Equatable, Sendable {
    public var requestID: UInt32
    public var selector: StreamID
    public var status: AckStatus
    public init(requestID: UInt32, selector: StreamID, status: AckStatus) {
        self.requestID = requestID
        self.selector = selector
        self.status = status
    }
}

public enum ErrorCode: UInt8, Sendable, CustomStringConvertible {
    case unknownStream = 1
    case limitReached = 2
    case badRequest = 3
    case notSubscribed = 4
    case noSession = 5
    /// A producer's HELLO without a valid proof of its stream key, or a blocked producer id.
    case notAuthorized = 6
    public var description: String {
        switch self {
        case .unknownStream: "unknown stream"
        case .limitReached: "limit reached"
        case .badRequest: "bad request"
        case .notSubscribed: "not subscribed"
        case .noSession: "no session"
        case .notAuthorized: "not authorized"
        }
    }
}

public struct ErrorReply: Equatable, Sendable {
    public var requestID: UInt32
    public var code: ErrorCode
    public var reason: String
    public init(requestID: UInt32, code: ErrorCode, reason: String) {
        self.requestID = requestID
        self.code = code
        self.reason = reason
    }
}

/// The fixed 44-byte header of a DATA datagram (its MAC, at `macOffset`, is written and checked by `DataMAC`).
public struct DataHeader: Equatable, Sendable {
    public var stream: StreamID
    public var sequence: UInt32
    public var frameNumber: UInt32
    public var frameLength: UInt32
    public var chunkIndex: UInt16
    public var chunkCount: UInt16
    /// Microseconds since the Unix epoch, stamped by the producer when it read the frame.
    public var captureTime: UInt64
    public var flags: UInt8

    public static let retransmitFlag: UInt8 = 1
    /// Sent from the broker's cache of the last complete frame to a new subscriber.
    public static let cachedFlag: UInt8 = 2

    public init(
        stream: StreamID, sequence: UInt32, frameNumber: UInt32, frameLength: UInt32, chunkIndex: UInt16, chunkCount: UInt16, captureTime: UInt64,
        flags: UInt8 = 0
    ) {
        self.stream = stream
        self.sequence = sequence
        self.frameNumber = frameNumber
        self.frameLength = frameLength
        self.chunkIndex = chunkIndex
        self.chunkCount = chunkCount
        self.captureTime = captureTime
        self.flags = flags
    }

    /// Payload bytes chunk `chunkIndex` must carry, given the frame length.
    public var expectedPayload: Int {
        let offset = Int(chunkIndex) * WireConstants.chunkPayload
        return min(WireConstants.chunkPayload, Int(frameLength) - offset)
    }

    /// Sequence numbers of the frame's first and last chunks: the chunks of a frame are numbered consecutively.
    public var frameStart: UInt32 { sequence &- UInt32(chunkIndex) }
    public var frameEnd: UInt32 { frameStart &+ UInt32(chunkCount) &- 1 }
}

public struct NackRange: Equatable, Sendable {
    public var start: UInt32
    public var count: UInt16
    public init(start: UInt32, count: UInt16) {
        self.start = start
        self.count = count
    }
}

public struct Nack: Equatable, Sendable {
    public var token: UInt64
    public var stream: StreamID
    /// The receiver's smoothed RTT estimate in microseconds (0 if unknown).
    public var rttMicros: UInt32
    public var ranges: [NackRange]
    public init(token: UInt64, stream: StreamID, rttMicros: UInt32, ranges: [NackRange]) {
        self.token = token
        self.stream = stream
        self.rttMicros = rttMicros
        self.ranges = ranges
    }
}

public enum StreamState: UInt8, Sendable, CustomStringConvertible {
    case online = 1
    case offline = 2
    public var description: String { self == .online ? "online" : "offline" }
}

public struct StreamStatus: Equatable, Sendable {
    public var stream: StreamID
    public var state: StreamState
    public var rateMilli: UInt32
    public init(stream: StreamID, state: StreamState, rateMilli: UInt32) {
        self.stream = stream
        self.state = state
        self.rateMilli = rateMilli
    }
}

public struct ListEntry: Equatable, Sendable {
    public var stream: StreamID
    public var state: StreamState
    public var rateMilli: UInt32
    public var subscribers: UInt32
    /// The origin tag of the broker the stream's producer is connected to (0: unknown).
    public var origin: UInt32
    public init(stream: StreamID, state: StreamState, rateMilli: UInt32, subscribers: UInt32, origin: UInt32 = 0) {
        self.stream = stream
        self.state = state
        self.rateMilli = rateMilli
        self.subscribers = subscribers
        self.origin = origin
    }
}

public struct ListReply: Equatable, Sendable {
    public var requestID: UInt32
    public var total: UInt16
    public var first: UInt16
    public var entries: [ListEntry]
    public init(requestID: UInt32, total: UInt16, first: UInt16, entries: [ListEntry]) {
        self.requestID = requestID
        self.total = total
        self.first = first
        self.entries = entries
    }
}

public enum ByeReason: UInt8, Sendable {
    case shutdown = 1
    case quit = 2
    /// The broker's operator ended this session (the status page): the peer does not reconnect by itself.
    case disconnected = 3
}

/// Every datagram of protocol version 1.
public enum Message: Equatable, Sendable {
    case hello(Hello)
    /// `challenge` nil: the 20-byte form (answering a request, or a PEER_HELLO); else the 28-byte answer to a HELLO.
    case cookie(nonce: UInt64, token: UInt64, challenge: UInt64? = nil)
    case welcome(Welcome)
    /// `report`: what a client received (32 bytes); producers and older clients send none (24 bytes).
    case heartbeat(token: UInt64, sendTime: UInt64, rttMicros: UInt32, report: ReceiverReport? = nil)
    case heartbeatAck(echoTime: UInt64, epoch: UInt64)
    case subscribe(SubscriptionRequest)
    case unsubscribe(SubscriptionRequest)
    case ack(Ack)
    case error(ErrorReply)
    case data(DataHeader, payload: ArraySlice<UInt8>)
    case nack(Nack)
    case streamStatus(StreamStatus)
    case listRequest(token: UInt64, requestID: UInt32)
    case listReply(ListReply)
    case bye(token: UInt64, reason: ByeReason)
    case peerHello(PeerHello)
    case peerAnnounce(PeerAnnounce)
    case peerInterest(PeerInterest)
    case peerBlocks(PeerBlocks)

    public var type: MessageType {
        switch self {
        case .hello: .hello
        case .cookie: .cookie
        case .welcome: .welcome
        case .heartbeat: .heartbeat
        case .heartbeatAck: .heartbeatAck
        case .subscribe: .subscribe
        case .unsubscribe: .unsubscribe
        case .ack: .ack
        case .error: .error
        case .data: .data
        case .nack: .nack
        case .streamStatus: .streamStatus
        case .listRequest: .listRequest
        case .listReply: .listReply
        case .bye: .bye
        case .peerHello: .peerHello
        case .peerAnnounce: .peerAnnounce
        case .peerInterest: .peerInterest
        case .peerBlocks: .peerBlocks
        }
    }
}
