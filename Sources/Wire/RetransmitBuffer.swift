/// The last datagrams of one stream, by sequence number, for answering NACKs. A fixed ring: memory is bounded
/// by its slot count times the largest datagram, whatever is received.
public struct RetransmitBuffer: Sendable {
    public struct Entry: Sendable {
        public var sequence: UInt32
        public var datagram: [UInt8]
        /// When it was last sent or resent (monotonic microseconds).
        public var lastSent: Int64
    }

    private var slots: [Entry?]
    private let mask: Int
    public private(set) var count = 0

    /// Sized so that full-size datagrams fill at most `bytes`: the largest power of two of slots that fits,
    /// but never fewer than 16.
    public init(bytes: Int) {
        var n = 16
        while 2 * n * WireConstants.maxDatagram <= bytes { n <<= 1 }
        slots = Array(repeating: nil, count: n)
        mask = n - 1
    }

    public var capacity: Int { slots.count }

    /// Stores a datagram, replacing whatever was in its slot. Returns false if that exact sequence is already held.
    @discardableResult
    public mutating func insert(sequence: UInt32, datagram: [UInt8], now: Int64) -> Bool {
        let i = Int(sequence) & mask
        if let old = slots[i] {
            if old.sequence == sequence { return false }
        } else {
            count += 1
        }
        slots[i] = Entry(sequence: sequence, datagram: datagram, lastSent: now)
        return true
    }

    public func contains(_ sequence: UInt32) -> Bool { slots[Int(sequence) & mask]?.sequence == sequence }

    public func entry(_ sequence: UInt32) -> Entry? {
        guard let e = slots[Int(sequence) & mask], e.sequence == sequence else { return nil }
        return e
    }

    /// Returns the datagram for a resend (with the retransmit flag set) if it is held and was not sent within
    /// `minInterval`; records the resend time.
    public mutating func resend(_ sequence: UInt32, now: Int64, minInterval: Int64) -> [UInt8]? {
        let i = Int(sequence) & mask
        guard var e = slots[i], e.sequence == sequence else { return nil }
        guard now - e.lastSent >= minInterval else { return nil }
        e.lastSent = now
        slots[i] = e
        return DataHeader.markedResent(e.datagram)
    }

    public mutating func removeAll() {
        for i in slots.indices { slots[i] = nil }
        count = 0
    }
}
