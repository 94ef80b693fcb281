import Config
import Platform
import Wire

extension PublishGateway {
    /// The setting that turns the gateway on.
    static let spec = SettingSpec(
        "web", env: "PUBLISH_WEB_ADDRESS",
        "Serve the publish page (camera and microphone from a browser) on this address (host:port, or a port for 127.0.0.1), e.g. 127.0.0.1:8081.")

    /// The gateway's configuration, or nil when `--web` is not given.
    static func config(from settings: Settings) throws(SettingsError) -> Config? {
        guard let text = settings.string("web")?.trimmingSpaces, !text.isEmpty else { return nil }
        let bind: PeerAddress
        if let port = UInt16(text) {
            bind = PeerAddress(ipv4: 0x7F00_0001, port: port)
        } else {
            guard let a = try settings.address("web") else { return nil }
            bind = a
        }
        let brokers = try settings.addresses("broker")!
        return Config(bind: bind, brokers: brokers, firstBroker: try settings.brokerPick("broker-pick").firstIndex)
    }

    /// Starts the gateway on a thread of its own; it serves until `stopFD` is readable, then fires `finished`.
    static func start(_ config: Config, log: Logger, stopFD: Int32, finished: StopSignal) throws(SystemError) -> PosixThread {
        let gateway = try PublishGateway(config: config, log: log)
        return PosixThread {
            gateway.run(stopFD: stopFD)
            finished.fire()
        }
    }
}
