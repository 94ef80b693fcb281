/// Keeps the datagrams of a stream's most recent complete frame, so a new subscriber gets a picture at once
/// instead of waiting for the next frame to start. Bounded: at most `maxBuilding` frames are tracked.
public struct FrameCache: Sendable {
    struct Building {
        var chunkCount: Int
        var have: Int = 0
        var datagrams: [[UInt8]?]
    }
    private var building: [UInt32: Building] = [:]
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
        var b = building[n] ?? Building(chunkCount: Int(h.chunkCount), datagrams: Array(repeating: nil, count: Int(h.chunkCount)))
        guard b.chunkCount == Int(h.chunkCount), b.datagrams[Int(h.chunkIndex)] == nil else { return false }
        b.datagrams[Int(h.chunkIndex)] = datagram
        b.have += 1
        if b.have == b.chunkCount {
            lastComplete = b.datagrams.map { $0! }
            lastCompleteNumber = n
            framesCompleted += 1
            building = building.filter { Serial.less(n, $0.key) }
            return true
        }
        building[n] = b
        if building.count > maxBuilding, let oldest = building.keys.min(by: { Serial.less($0, $1) }) {
            building[oldest] = nil
        }
        return false
    }

    public mutating func reset() {
        building.removeAll()
        lastComplete = []
        lastCompleteNumber = nil
    }
}
