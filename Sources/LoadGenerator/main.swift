import ClientCore
import Config
import Platform
import Wire

// `loadgen`: many independent subscriber sessions in one process, for the benchmarks and the failover figures.
let signals = SignalWatcher()
let specs: [SettingSpec] = [
    SettingSpec(
        "broker", env: "BROKER_ADDRESS", default: "127.0.0.1:5000",
        "Broker address (host:port), or several, comma-separated: each session starts on a random one and moves to the next when its broker is gone."),
    SettingSpec("sessions", env: "SESSIONS", default: "1", "How many independent subscriber sessions to run."),
    SettingSpec("subscribe", env: "SUBSCRIBE", "Every session subscribes to these ids at start (comma-separated)."),
    SettingSpec("spread", env: "SPREAD", switch: true, "Session i subscribes only to the i-th --subscribe id (round robin)."),
    SettingSpec(
        "latency-budget-ms", env: "LATENCY_BUDGET_MS", default: "250", "A frame not complete this long after its first chunk is dropped whole."),
    SettingSpec("log-level", env: "LOG_LEVEL", default: "info", "debug, info, warning or error."),
]
let summary =
    "loadgen: runs many subscriber sessions in one process (load tests); prints a summary per stream at exit, and a report of every session's failover figures on SIGUSR1."
let settings = Settings.parseOrExit(program: "loadgen", specs: specs, summary: summary)
let config = exitOnSettingsError("loadgen") { () throws(SettingsError) -> LoadConfig in
    let brokers = try settings.addresses("broker")!
    var c = LoadConfig(brokers: brokers)
    c.sessions = try settings.int("sessions", in: 1...10_000)!
    c.spread = try settings.bool("spread")
    c.timers.latencyBudget = Int64(try settings.int("latency-budget-ms", in: 10...10_000)!) * 1000
    c.subscribe = try settings.streamSelectors("subscribe", setting: "SUBSCRIBE (--subscribe)")
    return c
}
let log = Logger(name: "loadgen", level: exitOnSettingsError("loadgen") { () throws(SettingsError) in try settings.logLevel("log-level") })
// SIGUSR1 asks for a report of the sessions' failover figures (scripts/bench); no thread runs yet.
signals.watchUser1()
do {
    let runner = try MultiSessionRunner(config: config, log: log, signals: signals)
    exitProcess(runner.run())
} catch {
    log.error("cannot start: \(error)")
    exitProcess(1)
}
