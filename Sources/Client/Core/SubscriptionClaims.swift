import Wire

/// Who asked the client for a subscription: the prompt (what is typed stays until it is typed away), the recorder
/// (`RECORD`: it keeps what it records), a viewer tab, or an HTTP reader of `/streams/…` (each by a number the driver gives it) (theirs end when the last of them goes, after a grace, so a player that
/// reconnects does not make the client leave and re-join the stream).
public enum Claimant: Hashable, Sendable {
    case prompt
    case recorder
    case tab(Int)
    case reader(Int)
}

/// The subscriptions the client holds on behalf of the prompt, tabs and HTTP readers: the first claim of a
/// selector subscribes, the last release unsubscribes (at once for the prompt, after `grace` for the others).
/// Pure: it answers with what to do; the driver tells the core.
public struct SubscriptionClaims: Sendable {
    public enum Action: Equatable, Sendable {
        case subscribe(StreamID)
        case unsubscribe(StreamID)
    }

    /// How long a selector no tab or reader wants any more is kept, µs.
    public let grace: Int64
    private var claims: [StreamID: Set<Claimant>] = [:]
    /// Selectors without claimants, kept until their deadline.
    private var releasing: [StreamID: Int64] = [:]

    public init(grace: Int64 = 5_000_000) {
        self.grace = grace
    }

    /// Selectors someone wants now (claimed, or in their grace).
    public var held: Set<StreamID> { Set(claims.keys).union(releasing.keys) }

    public func claimants(of selector: StreamID) -> Set<Claimant> { claims[selector] ?? [] }

    /// The earliest grace that ends, or `.max`.
    public var nextDeadline: Int64 { releasing.values.min() ?? .max }

    /// `who` wants `selector`; subscribes unless someone held it already.
    public mutating func claim(_ selector: StreamID, by who: Claimant) -> Action? {
        let wasHeld = claims[selector] != nil || releasing.removeValue(forKey: selector) != nil
        claims[selector, default: []].insert(who)
        return wasHeld ? nil : .subscribe(selector)
    }

    /// `who` no longer wants `selector`. The prompt's release of the last claim (or one `immediately`, the user's
    /// explicit word) unsubscribes at once; a tab's or a reader's going away starts the grace. Nil also when others
    /// still want it.
    public mutating func release(_ selector: StreamID, by who: Claimant, now: Int64, immediately: Bool = false) -> Action? {
        guard var set = claims[selector], set.remove(who) != nil else { return nil }
        guard set.isEmpty else {
            claims[selector] = set
            return nil
        }
        claims[selector] = nil
        if who == .prompt || immediately { return .unsubscribe(selector) }
        releasing[selector] = now + grace
        return nil
    }

    /// Every claim of `who` (a tab or a reader that went away).
    public mutating func releaseAll(by who: Claimant, now: Int64) -> [Action] {
        claims.filter { $0.value.contains(who) }.keys.sorted().compactMap { release($0, by: who, now: now) }
    }

    /// The unsubscriptions whose grace has ended.
    public mutating func due(now: Int64) -> [Action] {
        let ended = releasing.filter { $0.value <= now }.keys.sorted()
        for s in ended { releasing[s] = nil }
        return ended.map { .unsubscribe($0) }
    }
}
