import Config
import Impairment
import Platform

// lossy-relay: forwards UDP between peers and the broker, losing, duplicating and reordering datagrams.

let signals = SignalWatcher()
let specs: [SettingSpec] = [
    SettingSpec("listen", env: "RELAY_LISTEN", default: "127.0.0.1:6000", "Address peers send to (host:port)."),
    SettingSpec("upstream", env: "RELAY_UPSTREAM", default: "127.0.0.1:5000", "The broker (host:port)."),
    SettingSpec("loss", env: "RELAY_LOSS", default: "0", "Probability a datagram is dropped, each way (0...1)."),
    SettingSpec("duplicate", env: "RELAY_DUPLICATE", default: "0", "Probability a datagram is sent twice (0...1)."),
    SettingSpec("reorder", env: "RELAY_REORDER", default: "0", "Probability a datagram is held back by up to --jitter-ms (0...1)."),
    SettingSpec("jitter-ms", env: "RELAY_JITTER_MS", default: "2", "Largest extra delay of a reordered datagram."),
    SettingSpec("data-only", env: "RELAY_DATA_ONLY", switch: true, "Apply loss only to DATA and NACK datagrams (control always passes)."),
    SettingSpec("seed", env: "RELAY_SEED", default: "1", "Random seed."),
    SettingSpec("log-level", env: "LOG_LEVEL", default: "info", "debug, info, warning or error."),
]
let summary = "lossy-relay: forwards UDP between peers and the broker, losing, duplicating and reordering datagrams."
let settings = Settings.parseOrExit(program: "lossy-relay", specs: specs, summary: summary)
let config = exitOnSettingsError("lossy-relay") { () throws(SettingsError) in
    let conditions = Impairment.Conditions(
        loss: try settings.double("loss", in: 0...1)!, duplication: try settings.double("duplicate", in: 0...1)!,
        reorder: try settings.double("reorder", in: 0...1)!, jitter: Int64(try settings.double("jitter-ms", in: 0...10_000)! * 1000),
        dataOnly: try settings.bool("data-only"))
    return LossyRelay.Config(
        listen: try settings.address("listen")!, upstream: try settings.address("upstream")!, conditions: conditions,
        seed: UInt64(try settings.int("seed", in: 0...Int.max)!))
}
let log = Logger(name: "lossy-relay", level: exitOnSettingsError("lossy-relay") { () throws(SettingsError) in try settings.logLevel("log-level") })
do {
    let relay = try LossyRelay(config: config, log: log, signals: signals)
    exitProcess(relay.run())
} catch {
    log.error("cannot start: \(error)")
    exitProcess(1)
}
