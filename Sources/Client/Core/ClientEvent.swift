import Wire

/// What the client core reports to the program around it.
public enum ClientEvent: Equatable, Sendable {
    case connected(fresh: Bool)
    case brokerLost
    case brokerLeaving
    /// The broker's operator ended this session (BYE reason `disconnected`); the link does not reconnect.
    case disconnected
    /// A SUBSCRIBE the user asked for was acknowledged; `online` says whether its producer is online now.
    case subscribed(StreamID, online: Bool)
    /// A SUBSCRIBE the user asked for was accepted as waiting: the broker knows no stream it names yet (the
    /// producer has not been online there); frames follow when it comes online.
    case waiting(StreamID)
    /// The selector is held already (directly, or through its producer's selector).
    case alreadySubscribed(StreamID, through: ProducerID?)
    case unsubscribed(StreamID)
    /// Nothing to unsubscribe: the selector is not held (or only through its producer's selector).
    case notSubscribed(StreamID, heldThrough: ProducerID?)
    /// The broker refused a request.
    case refused(ClientRequest, ErrorCode, reason: String)
    /// Refused here, without asking the broker: the client holds `limit` subscriptions already.
    case tooManySubscriptions(StreamID, limit: Int)
    /// The broker refused the session (it is full); the link keeps retrying.
    case sessionRefused(ErrorCode, reason: String)
    /// A request has gone unanswered for the request timeout; it is still being retried.
    case noAnswerYet(ClientRequest)
    case streamStatus(StreamID, StreamState)
    case list([ListEntry])
    case frame(CompleteFrame)
}
