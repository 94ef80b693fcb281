/// Keeps the datagrams of a stream's most recent complete frame, so a new subscriber gets a picture at once
/// instead of waiting for the next frame to start. Bounded: at most `maxBuilding` frames are tracked.
public struct FrameCache: Sendable {
    struct Building {
        var number: UInt32
        var chunkCount: Int
        var have: Int = 0
        var datagrams: [[UInt8]?]
    }
    /// The frames being assembled, at most `maxBuilding`: a short array searched by frame number, each changed in
    /// place (a copy taken out of a dictionary and stored back would copy its slot array at every datagram).
    private var building: [Building] = []
    public private(set) var lastComplete: [[UInt8]] = []
    public private(set) var lastCompleteNumber: UInt32?
    public private(set) var framesCompleted = 0
    let maxBuilding: Int

    public init(maxBuilding: Int = Limits().maxCachedFramesBuilding) { self.maxBuilding = maxBuilding }

    /// Adds a validated DATA datagram. Returns true when it completed a frame.
    @discardableResult
    public mutating func add(_ h: DataHeader, datagram: [UInt8]) -> Bool {
        let n = h.frameNumber
        if let last = lastCompleteNumber, !Serial.less(last, n) { return false }
        let count = Int(h.chunkCount)
        guard let i = slot(of: n, chunkCount: count) else { return false }
        guard building[i].chunkCount == count, building[i].datagrams[Int(h.chunkIndex)] == nil else { return false }
        building[i].datagrams[Int(h.chunkIndex)] = datagram
        building[i].have += 1
        guard building[i].have == count else { return false }
        lastComplete = building[i].datagrams.map { $0! }
        lastCompleteNumber = n
        framesCompleted += 1
        building.removeAll { !Serial.less(n, $0.number) }
        return true
    }

    /// The index of frame `n` in `building`, started if new; nil when starting it evicted it at once (it is the
    /// oldest of more than `maxBuilding`).
    private mutating func slot(of n: UInt32, chunkCount: Int) -> Int? {
        if let i = building.firstIndex(where: { $0.number == n }) { return i }
        building.append(Building(number: n, chunkCount: chunkCount, datagrams: Array(repeating: nil, count: chunkCount)))
        guard building.count > maxBuilding else { return building.count - 1 }
        var oldest = 0
        for k in building.indices where Serial.less(building[k].number, building[oldest].number) { oldest = k }
        building.remove(at: oldest)
        return oldest == building.count ? nil : building.count - 1
    }

    public mutating func reset() {
        building.removeAll()
        lastComplete = []
        lastCompleteNumber = nil
    }
}
