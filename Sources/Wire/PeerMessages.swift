/// PEER_HELLO (type 16), 64 bytes between mesh peers, 68 + 4 × path bytes on a tree link (an edge and its upstream):
/// the heartbeat of a link between two brokers, sent both ways. It carries the versions each side has of the other's
/// announcements and interest, so the snapshots are acknowledged by the heartbeats themselves (docs/PROTOCOL.md §12).
public struct PeerHello: Equatable, Sendable {
    /// The cookie the receiver gave the sender's address (0 until it has one).
    public var token: UInt64
    /// The sender's broker id (its epoch); the low 24 bits are its origin tag.
    public var brokerID: UInt64
    public var sendTime: UInt64
    /// The last `sendTime` the sender heard from the receiver (0: none), for the receiver's RTT.
    public var echoTime: UInt64
    /// The version of the sender's announcement snapshot, and of the receiver's that the sender has applied.
    public var announceVersion: UInt32
    public var announceAck: UInt32
    /// The version of the sender's interest snapshot for the receiver, and of the receiver's it has applied.
    public var interestVersion: UInt32
    public var interestAck: UInt32
    /// Microseconds between hearing `echoTime` and sending this (the receiver's RTT sample subtracts it, as RTCP's
    /// DLSR does), so heartbeats need not be answered at once.
    public var echoDelay: UInt32
    /// What the sender is to the receiver: a mesh peer, its edge (child), or its upstream.
    public var role: PeerLinkRole
    /// On a tree link: the origin tags from the sender up to the mesh, the sender's first (its own path to the core,
    /// as far as it knows it); at most `maxPath`. Empty between mesh peers.
    public var path: [UInt32]
    public init(
        token: UInt64, brokerID: UInt64, sendTime: UInt64, echoTime: UInt64, announceVersion: UInt32, announceAck: UInt32,
        interestVersion: UInt32, interestAck: UInt32, echoDelay: UInt32 = 0, role: PeerLinkRole = .mesh, path: [UInt32] = []
    ) {
        self.echoDelay = echoDelay
        self.role = role
        self.path = path
        self.token = token
        self.brokerID = brokerID
        self.sendTime = sendTime
        self.echoTime = echoTime
        self.announceVersion = announceVersion
        self.announceAck = announceAck
        self.interestVersion = interestVersion
        self.interestAck = interestAck
    }
    public static let size = 64
    /// The most origin tags a path carries: a tree at most `maxPath - 1` edges deep below the mesh.
    public static let maxPath = 8
    /// The size of a tree link's PEER_HELLO with `n` path entries.
    public static func size(path n: Int) -> Int { size + 4 + 4 * n }
}

/// What the sender of a PEER_HELLO is to its receiver.
public enum PeerLinkRole: UInt8, Equatable, Sendable {
    /// Both are brokers of one mesh (BROKER_PEERS): a stream crosses one mesh link at most.
    case mesh = 0
    /// The sender is an edge that names the receiver as its upstream (BROKER_UPSTREAM).
    case edge = 1
    /// The sender is the receiver's upstream, answering the edge.
    case upstream = 2
}

/// One stream a broker has online, as it announces it to a peer: its own producers' (between mesh peers), or any
/// the link may carry (on a tree link, see docs/CLUSTER.md).
public struct PeerAnnounceEntry: Equatable, Sendable {
    public var stream: StreamID
    public var kind: StreamKind
    /// The origin tag of the broker whose producer has the stream (24 bits): what its DATA is stamped with.
    public var origin: UInt32
    public var rateMilli: UInt32
    /// Orders competing claims on one producer id (a producer that moved): the higher claim wins everywhere.
    public var claim: UInt32
    /// The producer session's HELLO nonce: with the publish secret it gives the media key that checks the DATA.
    public var nonce: UInt64
    public init(stream: StreamID, kind: StreamKind, rateMilli: UInt32, claim: UInt32, nonce: UInt64, origin: UInt32) {
        self.stream = stream
        self.kind = kind
        self.origin = origin
        self.rateMilli = rateMilli
        self.claim = claim
        self.nonce = nonce
    }
    public static let size = 24
}

/// A page of a snapshot (announcements or interest): the receiver applies a version once it holds every page.
public struct PeerPage<Entry: Equatable & Sendable>: Equatable, Sendable {
    public var token: UInt64
    public var brokerID: UInt64
    public var version: UInt32
    /// 0-based page index, and the number of pages of this version (1...255).
    public var page: UInt8
    public var pages: UInt8
    public var entries: [Entry]
    public init(token: UInt64, brokerID: UInt64, version: UInt32, page: UInt8, pages: UInt8, entries: [Entry]) {
        self.token = token
        self.brokerID = brokerID
        self.version = version
        self.page = page
        self.pages = pages
        self.entries = entries
    }
}

/// One operator decision on a producer id, as the brokers of a cluster share it (PEER_BLOCKS): blocked or not, and
/// the stamp that orders decisions. The decision with the higher stamp wins at every broker, so all converge on the
/// same list whatever order the decisions arrive in (last writer wins, after a Lamport clock).
public struct PeerBlockEntry: Equatable, Sendable {
    public var producer: ProducerID
    public var blocked: Bool
    /// A logical clock in the high 40 bits and the deciding broker's origin tag in the low 24, so two brokers never
    /// make the same stamp and every broker orders two decisions alike.
    public var stamp: UInt64
    public init(producer: ProducerID, blocked: Bool, stamp: UInt64) {
        self.producer = producer
        self.blocked = blocked
        self.stamp = stamp
    }
    public static let size = 16
}

/// PEER_ANNOUNCE (type 17): the streams the sender's own producers have online.
public typealias PeerAnnounce = PeerPage<PeerAnnounceEntry>
/// PEER_INTEREST (type 18): the streams of the receiver's that the sender's clients want.
public typealias PeerInterest = PeerPage<StreamID>
/// PEER_BLOCKS (type 19): operator decisions (block, unblock) on producer ids. Each entry stands alone (its stamp
/// orders it), so a page is applied as it comes; the version and page fields only say which send it belongs to.
public typealias PeerBlocks = PeerPage<PeerBlockEntry>

extension WireConstants {
    /// PEER_ANNOUNCE and PEER_INTEREST: 28-byte header, entries, 8-byte tag.
    public static let peerPageHeader = 28
    public static let peerTagSize = 8
    /// A BYE between brokers: the 16 bytes of BYE, then the cluster tag.
    public static let peerByeSize = 16 + peerTagSize
    public static let maxAnnounceEntries = (maxDatagram - peerPageHeader - peerTagSize) / PeerAnnounceEntry.size  // 56
    public static let maxInterestEntries = (maxDatagram - peerPageHeader - peerTagSize) / 4  // 341
    public static let maxBlockEntries = (maxDatagram - peerPageHeader - peerTagSize) / PeerBlockEntry.size  // 85
}
