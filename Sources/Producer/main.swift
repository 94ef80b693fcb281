#if canImport(Glibc)
import Glibc
#endif
import Wire

let signals = SignalWatcher()
let specs: [SettingSpec] = [
    SettingSpec("broker", env: "BROKER_ADDRESS", default: "127.0.0.1:5000", "Broker address (host:port)."),
    SettingSpec("id", env: "PRODUCER_ID", "Producer id: 6 hex digits, e.g. 1AAA99."),
    SettingSpec("frames", env: "FRAMES", "Folder of frame1.jpg, frame2.jpg, ... (sent in numeric order, looping)."),
    SettingSpec("audio", env: "AUDIO", "Folder of audio1.mp3, audio2.mp3, ... (one chunk per second of video); no audio when empty."),
    SettingSpec("rate", env: "RATE", default: "12", "Frames per second (0.1 to 1000)."),
    SettingSpec("delay", env: "DELAY", default: "0", "Seconds to wait before the first frame."),
    SettingSpec("bind", env: "PRODUCER_ADDRESS", "Local address to send from (host:port); any when empty."),
    SettingSpec("synthetic", env: "SYNTHETIC_BYTES", "Send generated frames of this many bytes instead of files (benchmarks)."),
    SettingSpec("stop-after", env: "STOP_AFTER", "Leave after sending this many frames."),
    SettingSpec("log-level", env: "LOG_LEVEL", default: "info", "debug, info, warning or error."),
]
let summary = "producer: streams numbered JPEG frames (and MP3 audio chunks) to the broker at a fixed rate."
let settings = exitOnSettingsError("producer") { () throws(SettingsError) in try Settings.fromProcess(program: "producer", specs: specs) }
if settings.helpRequested {
    say(settings.usage(summary: summary))
    exit(0)
}
let config = exitOnSettingsError("producer") { () throws(SettingsError) -> ProducerConfig in
    let idText = try settings.required("id")
    guard let id = ProducerID(hex: idText.trimmingCharacters()) , id.rawValue != 0 else {
        throw SettingsError(setting: "PRODUCER_ID (--id)", message: "'\(idText)' is not 6 hex digits (for example 1AAA99)")
    }
    let synthetic = try settings.int("synthetic", in: 1...WireConstants.maxFrameBytes)
    var frames: String?
    if synthetic == nil {
        let f = try settings.required("frames")
        guard Files.isDirectory(f) else { throw SettingsError(setting: "FRAMES (--frames)", message: "'\(f)' is not a folder") }
        frames = f
    }
    var audio: String?
    if let a = settings.string("audio"), !a.isEmpty, synthetic == nil {
        guard Files.isDirectory(a) else { throw SettingsError(setting: "AUDIO (--audio)", message: "'\(a)' is not a folder") }
        audio = a
    }
    return ProducerConfig(
        broker: try settings.address("broker")!, bind: try settings.address("bind"), producer: id, frames: frames, audio: audio,
        rate: try settings.double("rate", in: 0.1...1000)!, delay: try settings.double("delay", in: 0...86_400)!,
        syntheticBytes: synthetic, stopAfter: try settings.int("stop-after", in: 1...Int.max))
}
let log = Logger(name: "producer \(config.producer)", level: exitOnSettingsError("producer") { () throws(SettingsError) in try settings.logLevel("log-level") })
do {
    let runner = try ProducerRunner(config: config, log: log, signals: signals)
    exit(runner.run())
} catch {
    log.error("cannot start: \(error)")
    exit(1)
}

extension String {
    func trimmingCharacters() -> String { String(self.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed()) }
}
