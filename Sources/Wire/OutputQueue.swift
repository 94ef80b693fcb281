/// A first-in first-out queue of what a core hands back (transmits, events), drained one at a time by its driver.
/// Pushing appends; popping moves a head index, so draining is O(1) per element and the storage is reused.
public struct OutputQueue<Element: Sendable>: Sendable {
    @usableFromInline internal var items: [Element] = []
    @usableFromInline internal var head = 0

    @inlinable public init() {}

    @inlinable public var isEmpty: Bool { head == items.count }
    @inlinable public var count: Int { items.count - head }

    @inlinable public mutating func push(_ e: Element) { items.append(e) }

    @inlinable public mutating func push(contentsOf es: [Element]) { items.append(contentsOf: es) }

    /// The oldest element, removed; nil when empty.
    @inlinable public mutating func pop() -> Element? {
        guard head < items.count else { return nil }
        let e = items[head]
        head += 1
        if head == items.count {
            items.removeAll(keepingCapacity: true)
            head = 0
        }
        return e
    }
}
