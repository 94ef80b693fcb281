/// Something a `MinHeap` orders: `before` is a strict order (ties broken by the owner, e.g. by insertion order).
public protocol HeapOrdered {
    func before(_ other: Self) -> Bool
}

/// A binary min-heap: the network's datagrams by delivery time, the tree simulation's wake-ups by time. One sift
/// order, so a seeded run pops the same sequence wherever it is used.
public struct MinHeap<Element: HeapOrdered> {
    private var items: [Element] = []

    public init() {}

    public var first: Element? { items.first }
    public var count: Int { items.count }

    public mutating func push(_ e: Element) {
        items.append(e)
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard items[i].before(items[parent]) else { break }
            items.swapAt(i, parent)
            i = parent
        }
    }

    public mutating func pop() -> Element? {
        guard let first = items.first else { return nil }
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var i = 0
            while true {
                let l = 2 * i + 1
                let r = l + 1
                var m = i
                if l < items.count && items[l].before(items[m]) { m = l }
                if r < items.count && items[r].before(items[m]) { m = r }
                if m == i { break }
                items.swapAt(i, m)
                i = m
            }
        }
        return first
    }
}
