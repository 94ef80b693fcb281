import Wire

/// One peer's session at the broker.
public struct PeerSession: Sendable {
    public let address: PeerAddress
    public let role: PeerRole
    public let token: UInt64
    /// The nonce of the HELLO the session is on (0 for a peer broker's): retired when the session ends or moves on.
    var nonce: UInt64 = 0
    /// The key its control messages are sealed with (nil for a peer broker), and the last counter used.
    var seal: ControlSeal?
    var controlCounter: UInt32 = 0
    public internal(set) var lastHeard: Int64
    public internal(set) var producer: ProducerID?
    public internal(set) var slot: Int?
    public internal(set) var selectors: Set<StreamID> = []
    public internal(set) var rttMicros: Int64 = 0
    /// Recent resends to this peer (`FrameKey.datagram` -> time), so one datagram is not resent twice per RTT.
    var resent: [UInt64: Int64] = [:]
    public internal(set) var retransmits = 0
    /// What a client's HEARTBEATs report it received.
    public internal(set) var receiver = ReceiverFigures()
    /// What may still be resent to this peer (`RetransmitBudget`); nil until its first NACK.
    var retransmitBudget: RetransmitBudget?
    /// Which lease-wheel entries are this session's (0 until the session table takes it in; a later session at
    /// the same address gets another number, so entries of an ended session are told apart).
    var leaseSerial: UInt64 = 0
    /// NACK work in the broker's current turn: which turn, and the sequence numbers looked at in it.
    var nackTurn: UInt64 = 0
    var nackSequencesInTurn = 0

    /// Takes up to `wanted` sequence numbers of this turn's NACK allowance (`limit`); returns how many it may look at.
    mutating func takeNackWork(_ wanted: Int, turn: UInt64, limit: Int) -> Int {
        if nackTurn != turn {
            nackTurn = turn
            nackSequencesInTurn = 0
        }
        let granted = max(0, min(wanted, limit - nackSequencesInTurn))
        nackSequencesInTurn += granted
        return granted
    }
}
