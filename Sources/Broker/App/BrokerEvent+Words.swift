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
        case .streamRefused(let id, let max): (.warning, "stream \(id) refused: broker tracks \(max) streams (maxStreams)")
        case .clientDisconnected(let a): (.info, "client \(a) disconnected by the operator")
        case .producerBlocked(let pid, let ended):
            (.info, "producer \(pid) blocked by the operator" + (ended.map { "; its session from \($0) ended" } ?? ""))
        case .producerUnblocked(let pid): (.info, "producer \(pid) unblocked by the operator")
        case .blockedHelloRefused(let pid, let from): (.info, "producer \(pid) at \(from) refused: it is blocked")
        }
    }

    /// What the log limiter counts this event as (peers can cause any number of most of these).
    var kind: String {
        switch self {
        case .clientConnected: "client connected"
        case .producerOnline: "producer online"
        case .producerMoved: "producer moved"
        case .peerLeft: "peer left"
        case .leaseExpired: "lease expired"
        case .streamRefused: "stream refused"
        case .clientDisconnected: "client disconnected"
        case .producerBlocked: "producer blocked"
        case .producerUnblocked: "producer unblocked"
        case .blockedHelloRefused: "blocked producer refused"
        }
    }

    private static func describe(_ d: StreamDescriptor, of pid: ProducerID) -> String {
        "\(StreamID(producer: pid, index: d.index)) \(d.kind) \(Double(d.rateMilli) / 1000) fps"
    }
}
