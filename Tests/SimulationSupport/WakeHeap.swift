/// A binary min-heap of (time, entity) wake-ups, so a simulation of thousands of sessions visits only the ones due
/// instead of asking each for its timeout every step. Entries are never removed early: the owner keeps each entity's
/// current wake time and skips an entry that no longer matches it (lazy deletion).
public struct WakeHeap {
    public struct Entry {
        public var time: Int64
        public var order: Int
        public var entity: Int

        func before(_ other: Entry) -> Bool { (time, order) < (other.time, other.order) }
    }

    private var heap: [Entry] = []
    private var order = 0

    public init() {}

    public var first: Entry? { heap.first }
    public var count: Int { heap.count }

    public mutating func push(_ time: Int64, _ entity: Int) {
        heap.append(Entry(time: time, order: order, entity: entity))
        order += 1
        var i = heap.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard heap[i].before(heap[parent]) else { break }
            heap.swapAt(i, parent)
            i = parent
        }
    }

    public mutating func pop() -> Entry? {
        guard let first = heap.first else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var i = 0
            while true {
                let l = 2 * i + 1
                let r = l + 1
                var m = i
                if l < heap.count && heap[l].before(heap[m]) { m = l }
                if r < heap.count && heap[r].before(heap[m]) { m = r }
                if m == i { break }
                heap.swapAt(i, m)
                i = m
            }
        }
        return first
    }
}
