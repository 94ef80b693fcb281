import ClientCore
import Console
import Viewer
import Platform
import Wire

/// Subscriptions on behalf of the prompt, the page's tabs and HTTP readers (`SubscriptionClaims`): the first claim
/// subscribes, the last release unsubscribes (a tab's or a reader's after a grace), and what the prompt typed
/// stays until it is typed away.
extension ClientRunner {
    func claim(_ s: StreamID, by who: Claimant, now: Int64) {
        let action = claims.claim(s, by: who)
        if who == .prompt || action != nil {
            // The prompt always asks the core, which says "already subscribed" when it is; a tab or a reader adds
            // nothing when a held selector covers the stream already.
            if who == .prompt || !core.isSubscribed(s) { subscribe(s, now: now) }
        }
    }

    /// Returns false when `who` held no claim on `s`.
    @discardableResult
    func release(_ s: StreamID, by who: Claimant, now: Int64, immediately: Bool = false) -> Bool {
        let had = claims.claimants(of: s).contains(who)
        if let a = claims.release(s, by: who, now: now, immediately: immediately) { apply([a], now: now) }
        return had
    }

    /// A tab or a reader went away.
    func releaseAll(by who: Claimant, now: Int64) {
        apply(claims.releaseAll(by: who, now: now), now: now)
    }

    /// The unsubscriptions whose grace ended.
    func serviceClaims(now: Int64) {
        guard claims.nextDeadline <= now else { return }
        apply(claims.due(now: now), now: now)
    }

    /// The prompt's `unsubscribe`: its own claim, or (when it held none) the core's answer as before.
    func promptUnsubscribe(_ s: StreamID, now: Int64) {
        if release(s, by: .prompt, now: now) {
            let others = claims.claimants(of: s)
            if !others.isEmpty { say("\(s) is still watched (\(Self.describe(others))); it ends when they close") }
            return
        }
        if !claims.claimants(of: s).isEmpty {
            say("\(s) was asked for by \(Self.describe(claims.claimants(of: s))), not at the prompt; it ends when they close")
            return
        }
        core.unsubscribe(s, now: now)
        flushTransmits()
    }

    private func apply(_ actions: [SubscriptionClaims.Action], now: Int64) {
        guard !actions.isEmpty else { return }
        for a in actions {
            switch a {
            case .subscribe(let s): subscribe(s, now: now)
            case .unsubscribe(let s):
                // A claim on a stream the client already received through a held selector subscribed nothing, so
                // its end unsubscribes nothing (the core would answer "unsubscribe <selector> instead" at the prompt).
                guard core.subscriptions.contains(s) else { continue }
                core.unsubscribe(s, now: now)
                for k in StreamKind.allCases where s.covers(StreamID(producer: s.producer, kind: k)) {
                    web?.readers.forget(StreamID(producer: s.producer, kind: k))
                }
            }
        }
        flushTransmits()
        // A stream held only through a selector just given up is asked for on its own.
        for s in claims.held.sorted() where !core.isSubscribed(s) && !claims.claimants(of: s).isEmpty {
            subscribe(s, now: now)
        }
    }

    static func describe(_ who: Set<Claimant>) -> String {
        let tabs = who.filter { if case .tab = $0 { true } else { false } }.count
        let readers = who.filter { if case .reader = $0 { true } else { false } }.count
        var parts: [String] = []
        if who.contains(.prompt) { parts.append("the prompt") }
        if who.contains(.recorder) { parts.append("the recorder") }
        if tabs > 0 { parts.append("\(tabs) tab\(tabs == 1 ? "" : "s")") }
        if readers > 0 { parts.append("\(readers) HTTP reader\(readers == 1 ? "" : "s")") }
        return parts.joined(separator: ", ")
    }
}
