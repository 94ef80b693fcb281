import Wire

/// One subscriber's bounded send queue. When it overflows, that subscriber alone loses whole frames: the
/// oldest queued frame goes, all of its datagrams, and is counted.
public struct SubscriberQueue: Sendable {
    public struct Item: Sendable {
        public var bytes: [UInt8]
        public var frameKey: UInt64
    }
    private var items: [Item] = []
    private var head = 0
    public let capacity: Int
    public private(set) var droppedFrames = 0
    public private(set) var droppedDatagrams = 0

    public init(capacity: Int) { self.capacity = max(capacity, 1) }

    public var count: Int { items.count - head }
    public var isEmpty: Bool { head == items.count }

    public mutating func push(_ bytes: [UInt8], frameKey: UInt64) {
        while count >= capacity {
            let victim = items[head].frameKey
            var kept: [Item] = []
            kept.reserveCapacity(count)
            var removed = 0
            for i in head..<items.count {
                if items[i].frameKey == victim { removed += 1 } else { kept.append(items[i]) }
            }
            items = kept
            head = 0
            droppedFrames += 1
            droppedDatagrams += removed
            if victim == frameKey {
                // The frame being added is the one that went: drop the rest of it too.
                droppedDatagrams += 1
                return
            }
        }
        items.append(Item(bytes: bytes, frameKey: frameKey))
    }

    /// The item at position `i` from the front.
    public subscript(i: Int) -> Item { items[head + i] }

    /// Removes `n` items from the front (they were sent).
    public mutating func removeFirst(_ n: Int) {
        head += n
        if head == items.count {
            items.removeAll(keepingCapacity: true)
            head = 0
        } else if head > 1024 && head * 2 > items.count {
            items.removeFirst(head)
            head = 0
        }
    }

    public mutating func removeAll() {
        items.removeAll()
        head = 0
    }
}
