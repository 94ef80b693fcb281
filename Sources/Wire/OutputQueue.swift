/// A first-in first-out queue of what a core hands back (transmits, events), drained one at a time by its driver.
/// Pushing appends; popping moves a head index, so draining is O(1) per element and the storage is reused.
public struct OutputQueue<Element: Sendable>: Sendable {
    private var items: [Element] = []
    private var head = 0

    public init() {}

    public var isEmpty: Bool { head == items.count }
    public var count: Int { items.count - head }

    public mutating func push(_ e: Element) { items.append(e) }

    public mutating func push(contentsOf es: [Element]) { items.append(contentsOf: es) }

    /// The oldest element, removed; nil when empty.
    public mutating func pop() -> Element? {
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
