import Wire

/// Each stream's online and offline events, the last `perStream` of each, for the status page. Bounded twice:
/// per stream, and in streams (`maxStreams`; the stream whose latest event is oldest is forgotten first), so a
/// producer that cycles through ids cannot grow it.
public struct StreamHistory: Sendable {
    /// One change of a stream's state. `time` is the core's monotonic clock (µs); the app converts it to wall time.
    public struct Entry: Sendable, Equatable {
        public let time: Int64
        public let online: Bool
        /// The producer session's address when it came online, nil for offline.
        public let from: PeerAddress?
        /// Why it went offline (nil for online): "lease expired", "blocked by the operator", ...
        public let reason: String?
    }

    /// Events kept per stream.
    public static let perStream = 100
    public let maxStreams: Int
    public private(set) var byStream: [StreamID: [Entry]] = [:]

    public init(maxStreams: Int) {
        precondition(maxStreams > 0)
        self.maxStreams = maxStreams
    }

    mutating func record(_ id: StreamID, online: Bool, from: PeerAddress?, now: Int64, reason: String? = nil) {
        if byStream[id] == nil && byStream.count >= maxStreams, let oldest = byStream.min(by: { $0.value.last!.time < $1.value.last!.time }) {
            byStream[oldest.key] = nil
        }
        var list = byStream.removeValue(forKey: id) ?? []
        if list.count >= Self.perStream { list.removeFirst(list.count - Self.perStream + 1) }
        list.append(Entry(time: now, online: online, from: from, reason: reason))
        byStream[id] = list
    }
}
