/// Why the broker refused a well-formed datagram: who sent it, or what it asked for, is not allowed. Counted in
/// `BrokerCounters.refused`; docs/METRICS.md says what each one means and what to do about it.
public enum RefusalReason: Int, CountedReason, CustomStringConvertible {
    /// A request from an address without a session.
    case noSession
    /// A request whose token is not its session's.
    case badToken
    /// A message the broker never accepts (WELCOME, ACK, ...), or a COOKIE answering no PEER_HELLO of ours.
    case unexpectedType
    /// DATA for a stream not in the table.
    case unknownStream
    /// DATA for a known stream from an address that does not own it, or for an offline stream.
    case notOwner
    /// A producer HELLO whose stream key proof is wrong.
    case badStreamKey
    /// A HELLO whose challenge is not one this broker issued for its address and nonce.
    case staleChallenge
    /// A HELLO from a producer the operator blocked.
    case blocked
    /// A peer message whose cluster tag is wrong, or an untagged BYE from a peer broker's address.
    case badPeerTag
    /// A peer page or BYE from an address whose link is not up (or of another link run).
    case peerNotLinked
    /// A PEER_HELLO no newer than the last, or from an earlier run of the link's peer.
    case stalePeerHello
    /// A PEER_HELLO from a new address while `maxPeers` links exist.
    case peerLimit
    /// PEER_ANNOUNCE entries beyond the cap of streams taken from one peer (counted per entry).
    case peerAnnounceCap
    /// PEER_INTEREST entries beyond the cap taken from one peer (counted per entry).
    case peerInterestCap
    /// PEER_BLOCKS entries beyond what the block list holds (counted per entry).
    case peerBlocksCap
    /// Relayed DATA carrying this broker's own origin tag.
    case loop
    /// DATA whose origin tag is not its sender's.
    case badOrigin

    public var label: String {
        switch self {
        case .noSession: "no_session"
        case .badToken: "bad_token"
        case .unexpectedType: "unexpected_type"
        case .unknownStream: "unknown_stream"
        case .notOwner: "not_owner"
        case .badStreamKey: "bad_stream_key"
        case .staleChallenge: "stale_challenge"
        case .blocked: "blocked"
        case .badPeerTag: "bad_peer_tag"
        case .peerNotLinked: "peer_not_linked"
        case .stalePeerHello: "stale_peer_hello"
        case .peerLimit: "peer_limit"
        case .peerAnnounceCap: "peer_announce_cap"
        case .peerInterestCap: "peer_interest_cap"
        case .peerBlocksCap: "peer_blocks_cap"
        case .loop: "loop"
        case .badOrigin: "bad_origin"
        }
    }

    public var description: String { label }
}
