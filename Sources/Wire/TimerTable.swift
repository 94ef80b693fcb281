/// One deadline per key, and the earliest of them, without scanning every key: a binary min-heap of
/// (deadline, key) with lazy removal (an entry counts only while it matches the key's current deadline; the top
/// of the heap is always a live one), so setting and cancelling cost O(log n) and the next deadline O(1),
/// however many streams or sessions a core has.
public struct TimerTable<Key: Hashable & Sendable>: Sendable {
    @usableFromInline internal struct Entry: Sendable {
        @usableFromInline var at: Int64
        @usableFromInline var key: Key
        @inlinable init(at: Int64, key: Key) {
            self.at = at
            self.key = key
        }
    }
    @usableFromInline internal var deadlines: [Key: Int64] = [:]
    @usableFromInline internal var heap: [Entry] = []

    @inlinable public init() {}

    @inlinable public var count: Int { deadlines.count }

    /// The deadline of `key`, if set.
    @inlinable public func deadline(_ key: Key) -> Int64? { deadlines[key] }

    /// Sets (or moves) the deadline of `key`. `Int64.max` cancels it.
    @inlinable public mutating func set(_ key: Key, at: Int64) {
        guard at != .max else { return cancel(key) }
        guard deadlines[key] != at else { return }
        deadlines[key] = at
        push(Entry(at: at, key: key))
        dropStale()
        compactIfStale()
    }

    @inlinable public mutating func cancel(_ key: Key) {
        deadlines[key] = nil
        dropStale()
    }

    /// The earliest deadline (`Int64.max` when none is set).
    @inlinable public var next: Int64 { heap.first?.at ?? .max }

    /// Removes and returns every key due at `now`, earliest first. A key's deadline is cleared when it is
    /// returned; the caller sets the next one.
    @inlinable public mutating func popDue(now: Int64) -> [Key] {
        var due: [Key] = []
        while let top = heap.first, top.at <= now {
            popTop()
            deadlines[top.key] = nil
            due.append(top.key)
            dropStale()
        }
        return due
    }

    @inlinable internal mutating func dropStale() {
        while let top = heap.first, deadlines[top.key] != top.at { popTop() }
    }

    /// Rebuilds the heap when stale entries outnumber live ones, so it stays O(live keys).
    @inlinable internal mutating func compactIfStale() {
        guard heap.count > 64, heap.count > 4 * deadlines.count else { return }
        heap = deadlines.map { Entry(at: $0.value, key: $0.key) }
        for i in stride(from: heap.count / 2 - 1, through: 0, by: -1) { siftDown(i) }
    }

    @inlinable internal mutating func push(_ e: Entry) {
        heap.append(e)
        var i = heap.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard heap[i].at < heap[parent].at else { break }
            heap.swapAt(i, parent)
            i = parent
        }
    }

    @inlinable internal mutating func popTop() {
        let last = heap.removeLast()
        guard !heap.isEmpty else { return }
        heap[0] = last
        siftDown(0)
    }

    @inlinable internal mutating func siftDown(_ start: Int) {
        var i = start
        while true {
            let l = 2 * i + 1
            let r = l + 1
            var m = i
            if l < heap.count && heap[l].at < heap[m].at { m = l }
            if r < heap.count && heap[r].at < heap[m].at { m = r }
            if m == i { return }
            heap.swapAt(i, m)
            i = m
        }
    }
}
