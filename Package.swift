// swift-tools-version:6.0
import PackageDescription

// The targets state the architecture (docs/ARCHITECTURE.md), so the compiler enforces it:
// - pure libraries (Wire, Config, HTTP, Impairment and the three role cores) take `now` as a parameter and
//   depend on nothing that touches the operating system;
// - Platform is the only module that imports Glibc or the C shim;
// - each executable is a thin app that wires its role's core to Platform.
let package = Package(
    name: "VideoBroker",
    products: [
        .library(name: "Wire", targets: ["Wire"]),
        .executable(name: "broker", targets: ["Broker"]),
        .executable(name: "producer", targets: ["Producer"]),
        .executable(name: "client", targets: ["Client"]),
        .executable(name: "lossy-relay", targets: ["Relay"]),
    ],
    targets: [
        // The syscalls Glibc's Swift module hides (sendmmsg with GSO, signalfd, getrandom).
        .target(name: "CWire"),

        // Pure.
        .target(name: "Wire"),
        .target(name: "Config", dependencies: ["Wire"]),
        .target(name: "HTTP"),
        // Media framing: MP3 frame headers and streams, JPEG streams (bytes in, whole frames out).
        .target(name: "Media"),
        .target(name: "WebSocket", dependencies: ["HTTP"]),
        .target(name: "Impairment", dependencies: ["Wire"]),
        .target(name: "BrokerCore", dependencies: ["Wire"], path: "Sources/Broker/Core"),
        .target(name: "ProducerCore", dependencies: ["Wire", "Config", "Media", "HTTP"], path: "Sources/Producer/Core"),
        .target(name: "ClientCore", dependencies: ["Wire"], path: "Sources/Client/Core"),
        // The broker's status page and API: JSON, HTML, login and throttling (the app serves them).
        .target(name: "BrokerStatus", dependencies: ["BrokerCore", "HTTP", "Wire"], path: "Sources/Broker/Status"),
        // The pcap format of `broker --capture`: file header and records with synthesised IP and UDP headers.
        .target(name: "Capture", dependencies: ["Wire"]),

        // The operating system.
        .target(name: "Platform", dependencies: ["CWire", "Wire", "Config", "HTTP", "WebSocket", "Capture"]),

        // Thin executables.
        .executableTarget(
            name: "Broker", dependencies: ["BrokerCore", "BrokerStatus", "Capture", "Platform", "HTTP", "Config"], path: "Sources/Broker/App"),
        .executableTarget(name: "Producer", dependencies: ["ProducerCore", "Platform", "Config", "HTTP"], path: "Sources/Producer/App"),
        .executableTarget(
            name: "Client", dependencies: ["ClientCore", "Platform", "Config", "HTTP", "WebSocket"], path: "Sources/Client/App"),
        // A relay that loses, duplicates and reorders datagrams, for tests and benchmarks.
        .executableTarget(name: "Relay", dependencies: ["Impairment", "Platform", "Config"]),

        // The in-memory network and the deterministic simulation (virtual clock, seeded loss), shared by tests.
        .target(
            name: "SimulationSupport", dependencies: ["Wire", "Impairment", "BrokerCore", "ProducerCore", "ClientCore"],
            path: "Tests/SimulationSupport"),

        .testTarget(name: "WireTests", dependencies: ["Wire", "SimulationSupport"]),
        .testTarget(name: "ConfigTests", dependencies: ["Config"]),
        .testTarget(name: "HTTPTests", dependencies: ["HTTP"]),
        .testTarget(name: "MediaTests", dependencies: ["Media"]),
        .testTarget(name: "WebSocketTests", dependencies: ["WebSocket", "HTTP"]),
        .testTarget(name: "PlatformTests", dependencies: ["Platform", "Wire", "HTTP", "WebSocket", "SimulationSupport"]),
        .testTarget(name: "BrokerCoreTests", dependencies: ["BrokerCore", "Wire", "SimulationSupport"]),
        .testTarget(name: "BrokerStatusTests", dependencies: ["BrokerStatus", "BrokerCore", "HTTP", "Wire", "SimulationSupport"]),
        .testTarget(name: "CaptureTests", dependencies: ["Capture", "Wire"]),
        .testTarget(name: "ProducerCoreTests", dependencies: ["ProducerCore", "Wire", "Config", "Media", "HTTP", "SimulationSupport"]),
        .testTarget(name: "ClientCoreTests", dependencies: ["ClientCore", "Wire", "SimulationSupport"]),
        .testTarget(name: "ImpairmentTests", dependencies: ["Impairment", "Wire"]),
        .testTarget(name: "SimulationTests", dependencies: ["SimulationSupport", "Wire", "BrokerCore", "ClientCore", "ProducerCore"]),
        .testTarget(name: "IntegrationTests", dependencies: ["Wire"]),
    ],
    swiftLanguageModes: [.v6]
)
