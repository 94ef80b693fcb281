import Wire

/// The last frames handed to the client's output per stream (number and capture time), so that a frame seen again
/// (the join frame of a broker the client moved to, a frame repaired on two paths) is not delivered twice.
/// Bounded: `capacity` frames per stream, the oldest forgotten first.
struct RecentFrames: Sendable {
    static let capacity = 64
    struct Key: Equatable, Sendable {
        var number: UInt32
        /// Tells a restarted producer's frame 1 from the earlier frame 1.
        var captureTime: UInt64
    }
    private var seen: [StreamID: [Key]] = [:]

    /// Records the frame; returns false if it was delivered already.
    mutating func admit(_ f: CompleteFrame) -> Bool {
        let key = Key(number: f.number, captureTime: f.captureTime)
        var list = seen[f.stream, default: []]
        if list.contains(key) { return false }
        if list.count >= Self.capacity { list.removeFirst() }
        list.append(key)
        seen[f.stream] = list
        return true
    }
}
