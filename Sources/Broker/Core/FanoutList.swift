import Wire

/// One stream's subscribers, in the order the fan-out sends to them. Adding or removing one costs O(1) however
/// many there are (append; swap-remove through an index), so subscription churn does not grow with the audience.
public struct FanoutList: Sendable {
    public private(set) var members: [Subscriber] = []
    private var index: [PeerAddress: Int] = [:]

    public init() {}

    public var count: Int { members.count }
    public var isEmpty: Bool { members.isEmpty }
    public func contains(_ address: PeerAddress) -> Bool { index[address] != nil }

    /// Adds a subscriber (nothing if it is there already).
    public mutating func insert(_ s: Subscriber) {
        guard index[s.address] == nil else { return }
        index[s.address] = members.count
        members.append(s)
    }

    /// Removes the subscriber at `address`, if present; the last member takes its place.
    public mutating func remove(_ address: PeerAddress) {
        guard let i = index.removeValue(forKey: address) else { return }
        let last = members.removeLast()
        guard i < members.count else { return }
        members[i] = last
        index[last.address] = i
    }
}
