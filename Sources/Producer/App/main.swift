import Config
import Platform
import ProducerCore
import Wire

let signals = SignalWatcher()
let specs: [SettingSpec] = [
    SettingSpec(
        "broker", env: "BROKER_ADDRESS", default: "127.0.0.1:5000",
        "Broker address (host:port), or several, comma-separated (or a name with several addresses): the producer starts on a random one (see BROKER_PICK) and moves to the next when its broker is gone."),
    SettingSpec(
        "broker-pick", env: "BROKER_PICK", default: "random",
        "Which broker of BROKER_ADDRESS to start on: random (spreads producers over the cluster) or first (a home broker, the others for failover)."),
    SettingSpec("id", env: "PRODUCER_ID", "Producer id: 6 hex digits, e.g. 1AAA99."),
    SettingSpec("frames", env: "FRAMES", "Folder of frame1.jpg, frame2.jpg, ... (sent in numeric order, looping)."),
    SettingSpec("audio", env: "AUDIO", "Folder of audio1.mp3, audio2.mp3, ... (one chunk per second of video); no audio when empty."),
    SettingSpec("rate", env: "RATE", default: "12", "Frames per second (0.1 to 1000)."),
    SettingSpec("delay", env: "DELAY", default: "0", "Seconds to wait before the first frame."),
    SettingSpec("bind", env: "PRODUCER_ADDRESS", "Local address to send from (host:port); any when empty."),
    SettingSpec("synthetic", env: "SYNTHETIC_BYTES", "Send generated frames of this many bytes instead of files (benchmarks)."),
    SettingSpec("stop-after", env: "STOP_AFTER", "Leave after sending this many frames."),
    SettingSpec(
        "producers", env: "PRODUCERS",
        "Run several producers in one process: comma-separated ID[:RATE[:DELAY[:KEY]]] (for example 1AAA99:12:0,2BBB77:24:2); media from MEDIA_ROOT/ID/frames and MEDIA_ROOT/ID/audio. Overrides --id, --frames, --audio."
    ),
    SettingSpec("stream-key", env: "STREAM_KEY", "The producer id's stream key, 32 hex digits (broker --issue-key ID prints it)."),
    SettingSpec(
        "publish-secret", env: "PUBLISH_SECRET",
        "Derive each producer's stream key from the cluster's publish secret instead (when the operator runs the producers too)."),
    SettingSpec("media-root", env: "MEDIA_ROOT", default: "producer", "Folder holding ID/frames and ID/audio for --producers."),
    SettingSpec("log-level", env: "LOG_LEVEL", default: "info", "debug, info, warning or error."),
    PublishGateway.spec,
]
let summary = "producer: streams numbered JPEG frames (and MP3 audio chunks) to the broker at a fixed rate."
let settings = Settings.parseOrExit(program: "producer", specs: specs, summary: summary)
let configs = exitOnSettingsError("producer") { () throws(SettingsError) -> [ProducerConfig] in
    let brokers = try settings.addresses("broker")!
    let broker = brokers[0]
    let firstBroker = try settings.brokerPick("broker-pick").firstIndex
    let bind = try settings.address("bind")
    let rate = try settings.double("rate", in: 0.1...1000)!
    let delay = try settings.double("delay", in: 0...86_400)!
    let synthetic = try settings.int("synthetic", in: 1...WireConstants.maxFrameBytes)
    let stopAfter = try settings.int("stop-after", in: 1...Int.max)
    let secret = settings.string("publish-secret").flatMap { $0.isEmpty ? nil : Array($0.utf8) }
    // An explicit key wins; else the key the publish secret derives; else the producer cannot prove its id.
    func key(_ id: ProducerID, given: [UInt8]?, setting: String) throws(SettingsError) -> [UInt8] {
        if let given { return given }
        if let secret { return StreamKeys.streamKey(secret: secret, producer: id) }
        throw SettingsError(
            setting: setting,
            message: "producer \(id) has no stream key: give it (broker --issue-key \(id) prints it), or set PUBLISH_SECRET to derive it")
    }
    if let list = settings.string("producers"), !list.isEmpty {
        let root = settings.string("media-root") ?? "producer"
        return try ProducerList.parse(list, setting: "PRODUCERS (--producers)", defaultRate: rate, defaultDelay: delay).map {
            (entry) throws(SettingsError) in
            let frames = "\(root)/\(entry.id)/frames"
            guard synthetic != nil || Files.isDirectory(frames) else {
                throw SettingsError(
                    setting: "PRODUCERS (--producers)", message: "producer \(entry.id): '\(frames)' is not a folder (MEDIA_ROOT is '\(root)')")
            }
            let audio = "\(root)/\(entry.id)/audio"
            return ProducerConfig(
                broker: broker, brokers: brokers, firstBroker: firstBroker, bind: nil, producer: entry.id, frames: synthetic == nil ? frames : nil,
                audio: synthetic == nil && Files.isDirectory(audio) ? audio : nil, rate: entry.rate, delay: entry.delay,
                syntheticBytes: synthetic, stopAfter: stopAfter, streamKey: try key(entry.id, given: entry.key, setting: "PRODUCERS (--producers)"))
        }
    }
    // `--web` alone: the process only serves the publish page.
    if try PublishGateway.config(from: settings) != nil, (settings.string("id") ?? "").isEmpty { return [] }
    let idText = try settings.required("id")
    guard let id = ProducerID(hex: idText.trimmingSpaces), id.rawValue != 0 else {
        throw SettingsError(setting: "PRODUCER_ID (--id)", message: "'\(idText)' is not 6 hex digits (for example 1AAA99)")
    }
    var frames: String?
    if synthetic == nil {
        let f = try settings.required("frames")
        guard Files.isDirectory(f) else { throw SettingsError(setting: "FRAMES (--frames)", message: "'\(f)' is not a folder") }
        frames = f
    }
    var given: [UInt8]?
    if let k = settings.string("stream-key"), !k.isEmpty {
        guard let parsed = StreamKeys.parse(hex: k.trimmingSpaces) else {
            throw SettingsError(setting: "STREAM_KEY (--stream-key)", message: "not 32 hex digits (broker --issue-key \(id) prints it)")
        }
        given = parsed
    }
    let streamKey = try key(id, given: given, setting: "STREAM_KEY (--stream-key)")
    var audio: String?
    if let a = settings.string("audio"), !a.isEmpty, synthetic == nil {
        guard Files.isDirectory(a) else { throw SettingsError(setting: "AUDIO (--audio)", message: "'\(a)' is not a folder") }
        audio = a
    }
    return [
        ProducerConfig(
            broker: broker, brokers: brokers, firstBroker: firstBroker, bind: bind, producer: id, frames: frames, audio: audio, rate: rate, delay: delay, syntheticBytes: synthetic,
            stopAfter: stopAfter, streamKey: streamKey)
    ]
}
let level = exitOnSettingsError("producer") { () throws(SettingsError) in try settings.logLevel("log-level") }
let stop = StopSignal()
// Each runner (and the publish gateway) writes a byte here when it ends (for example after --stop-after), so the
// process ends with the last.
let finished = StopSignal()
let gateway = exitOnSettingsError("producer") { () throws(SettingsError) in try PublishGateway.config(from: settings) }.map { c in
    let log = Logger(name: "publish", level: level)
    do { return try PublishGateway.start(c, log: log, stopFD: stop.readFD, finished: finished) } catch {
        log.error("cannot serve the publish page on \(c.bind): \(error)")
        exitProcess(1)
    }
}
if configs.count == 1 && gateway == nil {
    let log = Logger(name: "producer \(configs[0].producer)", level: level)
    do {
        let runner = try ProducerRunner(config: configs[0], log: log, stopFD: signals.fd)
        exitProcess(runner.run())
    } catch {
        log.error("cannot start: \(error)")
        exitProcess(1)
    }
}
// Several producers: one thread and one socket each; a signal stops them all.
var runners: [ProducerRunner] = []
for c in configs {
    let log = Logger(name: "producer \(c.producer)", level: level)
    do { runners.append(try ProducerRunner(config: c, log: log, stopFD: stop.readFD)) } catch {
        log.error("cannot start: \(error)")
        exitProcess(1)
    }
}
let threads = runners.map { r in
    PosixThread {
        _ = r.run()
        finished.fire()
    }
}
var running = threads.count + (gateway == nil ? 0 : 1)
while running > 0 {
    let ready = Poller.wait(readable: [signals.fd, finished.readFD], timeoutMicros: 60_000_000)
    if ready.contains(signals.fd), signals.take() != nil { break }
    if ready.contains(finished.readFD), finished.consume() { running -= 1 }
}
stop.fire()
for t in threads { t.join() }
gateway?.join()
exitProcess(0)
