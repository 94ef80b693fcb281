import BrokerCore
import Config
import Platform
import Wire

let signals = SignalWatcher()
let specs: [SettingSpec] = [
    SettingSpec("address", env: "BROKER_ADDRESS", default: "0.0.0.0:5000", "UDP address to listen on (host:port)."),
    SettingSpec("metrics", env: "METRICS_ADDRESS", "HTTP address for /metrics and /healthz (host:port); off when empty."),
    SettingSpec(
        "publish-secret", env: "PUBLISH_SECRET",
        "Secret (at least 16 bytes) every producer's stream key derives from; the same at every broker of a cluster. Required."),
    SettingSpec(
        "peers", env: "BROKER_PEERS",
        "The other brokers of the cluster: comma-separated host:port, or one name resolving to several addresses (resolved again every few seconds; this broker's own entry is ignored)."
    ),
    SettingSpec(
        "upstream", env: "BROKER_UPSTREAM",
        "Makes this broker an edge: the brokers of the tier above, in order of preference (comma-separated host:port, or one name resolving to several addresses). It links to one at a time and moves to the next when that one is lost. Not with --peers."
    ),
    SettingSpec("cluster-secret", env: "CLUSTER_SECRET", "Secret (at least 16 bytes) the brokers of a cluster prove to each other; required with --peers or --upstream."),
    SettingSpec("issue-key", "Print the stream key of this producer id (6 hex digits), derived from PUBLISH_SECRET, and exit."),
    SettingSpec(
        "status-password", env: "STATUS_PASSWORD",
        "Password of the status page, its API and actions on the HTTP port (/status, /api/...); off when empty (no default). Prefer the environment: flags show in ps."
    ),
    SettingSpec(
        "metrics-token", env: "METRICS_TOKEN",
        "When set, /metrics needs the header Authorization: Bearer TOKEN (Prometheus: authorization.credentials); open when empty."),
    SettingSpec(
        "scrape-rate", env: "SCRAPE_RATE", default: "5",
        "/metrics and /api/... requests served per second per source address (twice that at once, at least 20); more are answered 429."),
    SettingSpec(
        "state-dir", env: "STATE_DIR",
        "Folder for what the broker keeps across restarts (the operator's block list, file `blocks`); off when empty (blocks then live in memory and at the peers)."
    ),
    SettingSpec("capture", env: "CAPTURE", "Write the broker's own traffic (received and sent) to this pcap file; off when empty."),
    SettingSpec("capture-max-mb", env: "CAPTURE_MAX_MB", default: "100", "Capture file size in MiB before it is rotated to FILE.1 (1-100000)."),
    SettingSpec("log-level", env: "LOG_LEVEL", default: "info", "debug, info, warning or error."),
    SettingSpec(
        "drain-ms", env: "DRAIN_MS", default: "1000",
        "On SIGTERM: after telling peers to move, keep forwarding at most this long (until 150 ms pass with nothing received); 0 exits at once."),
    SettingSpec(
        "healthcheck", switch: true,
        "Check a running broker's /healthz on the metrics address (127.0.0.1 when it listens on all addresses) and exit 0 if healthy, 1 if not."),
    SettingSpec("heartbeat-ms", env: "HEARTBEAT_MS", default: "500", "Heartbeat interval peers are told to use."),
    SettingSpec("lease-misses", env: "LEASE_MISSES", default: "6", "Missed heartbeats after which a peer's lease expires."),
    SettingSpec("max-subscribers", env: "MAX_SUBSCRIBERS", default: "2048", "Clients accepted at once."),
    SettingSpec("max-streams", env: "MAX_STREAMS", default: "256", "Streams tracked (online or offline)."),
    SettingSpec("queue-datagrams", env: "QUEUE_DATAGRAMS", default: "2048", "Datagrams queued per subscriber before it loses whole frames."),
    SettingSpec("retransmit-buffer-kb", env: "RETRANSMIT_BUFFER_KB", default: "1024", "Retransmit buffer per stream, KiB."),
    SettingSpec(
        "source-handshakes", env: "SOURCE_HANDSHAKES", default: "2000",
        "HELLOs (and requests without a session) acted on per second per source network (IPv4 /24, IPv6 /64); twice that at once."),
    SettingSpec(
        "source-requests", env: "SOURCE_REQUESTS", default: "4000",
        "SUBSCRIBE, UNSUBSCRIBE and LIST requests acted on per second per source network; twice that at once."),
]
let summary = "broker: keeps subscription tables and forwards each stream to its subscribers (Wire protocol v1)."
let settings = Settings.parseOrExit(program: "broker", specs: specs, summary: summary)
if exitOnSettingsError("broker", { () throws(SettingsError) in try settings.bool("healthcheck") }) {
    guard var m = exitOnSettingsError("broker", { () throws(SettingsError) in try settings.address("metrics") }) else {
        writeAll(2, "broker: --healthcheck needs METRICS_ADDRESS (--metrics)\n")
        exitProcess(1)
    }
    if !m.isIPv6 && m.low == 0 { m = PeerAddress(ipv4: 0x7f00_0001, port: m.port) }
    let ok = HTTPProbe.get(m)
    say(ok ? "healthy" : "unhealthy: no answer from http://\(m)/healthz")
    exitProcess(ok ? 0 : 1)
}
let publishSecret = exitOnSettingsError("broker") { () throws(SettingsError) -> [UInt8] in
    let name = "PUBLISH_SECRET (--publish-secret)"
    guard let s = settings.string("publish-secret"), !s.isEmpty else {
        throw SettingsError(
            setting: name, message: "is not set: producers prove their stream keys against it (for example PUBLISH_SECRET=$(head -c 24 /dev/urandom | base64))")
    }
    guard s.utf8.count >= StreamKeys.minSecretBytes else {
        throw SettingsError(setting: name, message: "is \(s.utf8.count) bytes; it must be at least \(StreamKeys.minSecretBytes)")
    }
    return Array(s.utf8)
}
if let text = settings.string("issue-key") {
    guard let id = ProducerID(hex: text.trimmingSpaces.uppercased()), id.rawValue != 0 else {
        writeAll(2, "broker: --issue-key: '\(text)' is not a producer id of 6 hex digits (for example 1AAA99)\n")
        exitProcess(2)
    }
    say(StreamKeys.hex(StreamKeys.streamKey(secret: publishSecret, producer: id)))
    exitProcess(0)
}
let config = exitOnSettingsError("broker") { () throws(SettingsError) -> BrokerConfig in
    var c = BrokerConfig(address: try settings.address("address")!, publishSecret: publishSecret)
    c.metricsAddress = try settings.address("metrics")
    c.statusPassword = settings.string("status-password")
    c.metricsToken = settings.string("metrics-token").flatMap { $0.isEmpty ? nil : $0 }
    c.scrapeRate = try settings.int("scrape-rate", in: 1...1_000_000)!
    c.capturePath = settings.string("capture")
    c.stateDir = settings.string("state-dir").flatMap { $0.isEmpty ? nil : $0 }
    c.captureMaxBytes = try settings.int("capture-max-mb", in: 1...100_000)! << 20
    c.drainMicros = Int64(try settings.int("drain-ms", in: 0...60_000)!) * 1000
    c.timers.heartbeatInterval = Int64(try settings.int("heartbeat-ms", in: 10...60_000)!) * 1000
    c.timers.leaseMisses = try settings.int("lease-misses", in: 2...100)!
    c.limits.maxSubscribers = try settings.int("max-subscribers", in: 1...1_000_000)!
    c.limits.maxStreams = try settings.int("max-streams", in: 1...65_536)!
    c.limits.subscriberQueueDatagrams = try settings.int("queue-datagrams", in: 16...1_000_000)!
    c.limits.retransmitBufferBytes = try settings.int("retransmit-buffer-kb", in: 16...1_048_576)! * 1024
    let peers = (settings.string("peers") ?? "").split(separator: ",").map { String($0).trimmingSpaces }.filter { !$0.isEmpty }
    if let bad = PeerResolver.validate(peers) { throw SettingsError(setting: "BROKER_PEERS (--peers)", message: bad) }
    let upstream = (settings.string("upstream") ?? "").split(separator: ",").map { String($0).trimmingSpaces }.filter { !$0.isEmpty }
    if let bad = PeerResolver.validate(upstream) { throw SettingsError(setting: "BROKER_UPSTREAM (--upstream)", message: bad) }
    if !upstream.isEmpty && !peers.isEmpty {
        throw SettingsError(
            setting: "BROKER_UPSTREAM (--upstream)",
            message: "is set with BROKER_PEERS: a broker is a member of the mesh (BROKER_PEERS) or an edge below it (BROKER_UPSTREAM), not both")
    }
    let secret = settings.string("cluster-secret") ?? ""
    if !peers.isEmpty || !upstream.isEmpty || !secret.isEmpty {
        guard !secret.isEmpty else {
            throw SettingsError(
                setting: "CLUSTER_SECRET (--cluster-secret)", message: "is not set: brokers given peers must prove to each other that they hold it")
        }
        guard secret.utf8.count >= ClusterKey.minSecretBytes else {
            throw SettingsError(
                setting: "CLUSTER_SECRET (--cluster-secret)", message: "is \(secret.utf8.count) bytes; it must be at least \(ClusterKey.minSecretBytes)")
        }
        c.cluster = ClusterConfig(secret: Array(secret.utf8))
        c.peers = peers
        c.upstream = upstream
    }
    c.limits.sourceHandshakesPerSecond = try settings.int("source-handshakes", in: 1...1_000_000)!
    c.limits.sourceHandshakeBurst = 2 * c.limits.sourceHandshakesPerSecond
    c.limits.sourceRequestsPerSecond = try settings.int("source-requests", in: 1...1_000_000)!
    c.limits.sourceRequestBurst = 2 * c.limits.sourceRequestsPerSecond
    return c
}
let log = Logger(name: "broker", level: exitOnSettingsError("broker") { () throws(SettingsError) in try settings.logLevel("log-level") })
do {
    let server = try BrokerServer(config: config, log: log, signals: signals)
    exitProcess(server.run())
} catch {
    log.error("cannot start: \(error)")
    exitProcess(1)
}
