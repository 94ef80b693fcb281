/// A binary min-heap of (time, entity) wake-ups, so a simulation of thousands of sessions visits only the ones due
/// instead of asking each for its timeout every step. Entries are never removed early: the owner keeps each entity's
/// current wake time and skips an entry that no longer matches it (lazy deletion).
public struct WakeHeap {
    public struct Entry: HeapOrdered {
        public var time: Int64
        public var order: Int
        public var entity: Int

        public func before(_ other: Entry) -> Bool { (time, order) < (other.time, other.order) }
    }

    private var heap = MinHeap<Entry>()
    private var order = 0

    public init() {}

    public var first: Entry? { heap.first }
    public var count: Int { heap.count }

    public mutating func push(_ time: Int64, _ entity: Int) {
        heap.push(Entry(time: time, order: order, entity: entity))
        order += 1
    }

    public mutating func pop() -> Entry? { heap.pop() }
}
