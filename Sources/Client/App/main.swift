import ClientCore
import Console
import Viewer
import Config
import Platform
import Wire

let signals = SignalWatcher()
let clientSpecs: [SettingSpec] = [
    SettingSpec(
        "broker", env: "BROKER_ADDRESS", default: "127.0.0.1:5000",
        "Broker address (host:port), or several, comma-separated (or a name with several addresses): the client starts on a random one (see BROKER_PICK) and moves to the next when its broker is gone."),
    SettingSpec(
        "broker-pick", env: "BROKER_PICK", default: "random",
        "Which broker of BROKER_ADDRESS to start on: random (spreads clients over the cluster) or first (a home broker, the others for failover)."),
    SettingSpec("bind", env: "CONSUMER_ADDRESS", "Local address to receive on (host:port); any when empty."),
    SettingSpec("output", env: "OUTPUT", "Save every complete frame and audio chunk under this folder (one folder per stream)."),
    SettingSpec(
        "web", env: "WEB_ADDRESS",
        "Serve the viewer page (live video, sound and figures in a browser) on host:port, e.g. 127.0.0.1:8080 (a bare port means 127.0.0.1); none when empty."),
    SettingSpec("subscribe", env: "SUBSCRIBE", "Subscribe to these ids at start (comma-separated), as if typed."),
    SettingSpec("status-interval", env: "STATUS_INTERVAL", default: "1", "Seconds between status lines; 0 turns them off."),
    SettingSpec("headless", env: "HEADLESS", switch: true, "No prompt, no stdin, no status lines: only the summary at exit (benchmarks, tests)."),
    SettingSpec(
        "latency-budget-ms", env: "LATENCY_BUDGET_MS", default: "250", "A frame not complete this long after its first chunk is dropped whole."),
    SettingSpec("log-level", env: "LOG_LEVEL", default: "info", "debug, info, warning or error."),
]
let specs = clientSpecs + RecorderConfig.specs
let summary = "client: subscribes to streams on the broker and receives them; commands on stdin (type help)."
let settings = Settings.parseOrExit(program: "client", specs: specs, summary: summary, helpFooter: ClientCommand.helpText)
let config = exitOnSettingsError("client") { () throws(SettingsError) -> ClientConfig in
    let brokers = try settings.addresses("broker")!
    var c = ClientConfig(broker: brokers[0])
    c.brokers = brokers
    c.firstBroker = try settings.brokerPick("broker-pick").firstIndex
    c.bind = try settings.address("bind")
    // A bare port means loopback: the page is served to this machine alone unless an address says otherwise.
    if let w = settings.string("web"), !w.isEmpty, w.allSatisfy(\.isNumber) {
        c.web = try Settings(program: "client", specs: specs, arguments: ["--web", "127.0.0.1:" + w], environment: [:]).address("web")
    } else {
        c.web = try settings.address("web")
    }
    c.output = settings.string("output").flatMap { $0.isEmpty ? nil : $0 }
    c.statusInterval = Int64(try settings.double("status-interval", in: 0...3600)! * 1_000_000)
    c.headless = try settings.bool("headless")
    c.recorder = try RecorderConfig.parse(settings)
    c.timers.latencyBudget = Int64(try settings.int("latency-budget-ms", in: 10...10_000)!) * 1000
    c.subscribe = try settings.streamSelectors("subscribe", setting: "SUBSCRIBE (--subscribe)")
    return c
}
let log = Logger(name: "client", level: exitOnSettingsError("client") { () throws(SettingsError) in try settings.logLevel("log-level") })
do {
    let runner = try ClientRunner(config: config, log: log, signals: signals)
    exitProcess(runner.run())
} catch {
    log.error("cannot start: \(error)")
    exitProcess(1)
}
