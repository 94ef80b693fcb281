import BrokerCore
import Wire

extension BrokerEvent {
    /// The log line for this event.
    var logLine: (LogLevel, String) {
        switch self {
        case .clientConnected(let a, let slot): (.info, "client \(a) connected (slot \(slot))")
        case .producerOnline(let pid, let from, let streams):
            (.info, "producer \(pid) online from \(from) with " + streams.map { Self.describe($0, of: pid) }.joined(separator: ", "))
        case .producerMoved(let pid, let old, let new): (.warning, "producer \(pid) moved from \(old) to \(new); the newer session wins")
        case .peerLeft(let a): (.info, "peer \(a) said goodbye")
        case .leaseExpired(let a, let role, let pid):
            (
                .warning,
                "\(role == .producer ? "producer \(pid.map(String.init(describing:)) ?? "?")" : "client") \(a) lease expired (silent for the lease duration)"
            )
        case .subscribed(let a, let sel): (.info, "client \(a) subscribed to \(sel)")
        case .subscribedWaiting(let a, let sel): (.info, "client \(a) subscribed to \(sel), waiting: no such stream is known yet")
        case .unsubscribed(let a, let sel): (.info, "client \(a) unsubscribed from \(sel)")
        case .streamRefused(let id, let max): (.warning, "stream \(id) refused: broker tracks \(max) streams (maxStreams)")
        case .peerUp(let a, let id):
            (.info, "peer broker \(a) is up (broker id \(String(id, radix: 16)), origin \(ProducerID(rawValue: ClusterKey.originTag(brokerID: id))!))")
        case .peerDown(let a): (.warning, "peer broker \(a) is down (silent); its streams are offline here")
        case .peerIsSelf(let a): (.info, "BROKER_PEERS entry \(a) is this broker; ignored")
        case .upstreamChosen(let a): (.info, "edge: upstream is now \(a) (BROKER_UPSTREAM)")
        case .treeLoop(let a, let path):
            (.error, "edge: link with \(a) refused: it would make a loop (\(Self.loopWords(path))); check BROKER_UPSTREAM at both")
        case .treeTooDeep(let a, let depth):
            (.error, "edge: upstream \(a) refused: it is \(depth) levels below the mesh already; at most \(PeerHello.maxPath - 1) levels of edges")
        case .producerUnauthorized(let pid, let from):
            (.warning, "producer \(pid) from \(from) refused: wrong stream key (broker --issue-key \(pid) prints the right one)")
        case .clientDisconnected(let a): (.info, "client \(a) disconnected by the operator")
        case .producerBlocked(let pid, let ended):
            (.info, "producer \(pid) blocked by the operator" + (ended.map { "; its session from \($0) ended" } ?? ""))
        case .producerUnblocked(let pid): (.info, "producer \(pid) unblocked by the operator")
        case .blockShared(let pid, let blocked, let from):
            (.info, "producer \(pid) \(blocked ? "blocked" : "unblocked") by the operator at peer \(from)")
        case .blockedHelloRefused(let pid, let from): (.info, "producer \(pid) at \(from) refused: it is blocked")
        }
    }

    /// A refused upstream's path to the mesh, as origin tags, or why a path-less link loops.
    static func loopWords(_ path: [UInt32]) -> String {
        guard !path.isEmpty else { return "it names this broker as its own upstream" }
        return "its path to the mesh passes through this broker: " + path.map { ProducerID(rawValue: $0)?.description ?? "?" }.joined(separator: " -> ")
    }

    /// What the log limiter counts this event as (peers can cause any number of most of these).
    var kind: String {
        switch self {
        case .clientConnected: "client connected"
        case .producerOnline: "producer online"
        case .producerMoved: "producer moved"
        case .peerLeft: "peer left"
        case .leaseExpired: "lease expired"
        case .subscribed, .subscribedWaiting: "subscribed"
        case .unsubscribed: "unsubscribed"
        case .streamRefused: "stream refused"
        case .producerUnauthorized: "wrong stream key"
        case .peerUp: "peer up"
        case .peerDown: "peer down"
        case .peerIsSelf: "peer is self"
        case .upstreamChosen: "upstream chosen"
        case .treeLoop: "tree loop"
        case .treeTooDeep: "tree too deep"
        case .clientDisconnected: "client disconnected"
        case .producerBlocked: "producer blocked"
        case .producerUnblocked: "producer unblocked"
        case .blockShared: "block shared"
        case .blockedHelloRefused: "blocked producer refused"
        }
    }

    private static func describe(_ d: StreamDescriptor, of pid: ProducerID) -> String {
        "\(StreamID(producer: pid, index: d.index)) \(d.kind) \(Double(d.rateMilli) / 1000) fps"
    }
}
