import ClientCore
import Wire

extension ClientEvent {
    /// The answer to a user's command, as the prompt prints it (ok: whether it succeeded); nil for events that
    /// are not answers.
    public var reply: (ok: Bool, text: String)? {
        switch self {
        case .subscribed(let s, let online):
            (true, "subscribed to \(s)" + (online ? "" : " (offline for now; frames follow when it is online)"))
        case .waiting(let s):
            (
                true,
                "subscribed to \(s), waiting: the broker has not seen \(s.isProducerSelector ? "producer" : "stream") \(s) yet; frames follow when it comes online"
            )
        case .alreadySubscribed(let s, let through):
            (true, "already subscribed to \(s)" + (through.map { " through \($0)" } ?? ""))
        case .unsubscribed(let s): (true, "unsubscribed from \(s)")
        case .notSubscribed(let s, let through?): (false, "subscribed to \(s) through \(through): unsubscribe \(through) instead")
        case .notSubscribed(let s, nil): (false, "not subscribed to \(s)")
        case .refused(.subscribe(let s), let code, let reason): (false, "cannot subscribe to \(s): \(code): \(reason)")
        case .refused(.unsubscribe(let s), let code, let reason): (false, "cannot unsubscribe from \(s): \(code): \(reason)")
        case .refused(.list, let code, let reason): (false, "list failed: \(code): \(reason)")
        case .tooManySubscriptions(let s, let limit): (false, "cannot subscribe to \(s): at most \(limit) subscriptions")
        case .sessionRefused(let code, let reason): (false, "the broker refused the session: \(code): \(reason); retrying")
        case .noAnswerYet(let r): (false, "no answer from the broker for \(r.words) yet; still trying")
        case .connected, .brokerLost, .brokerLeaving, .moved, .disconnected, .streamStatus, .list, .frame: nil
        }
    }
}

extension ClientRequest {
    var words: String {
        switch self {
        case .subscribe(let s): "subscribe \(s)"
        case .unsubscribe(let s): "unsubscribe \(s)"
        case .list: "list"
        }
    }
}
