// swift-tools-version:6.0
import PackageDescription

// The targets state the architecture (docs/ARCHITECTURE.md), so the compiler enforces it:
// - pure libraries (Crypto, Wire, Config, HTTP, Impairment and the three role cores) take `now` as a parameter and
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
        .executable(name: "loadgen", targets: ["LoadGenerator"]),
        .executable(name: "wire-samples", targets: ["WireSamples"]),
    ],
    targets: [
        // The syscalls Glibc's Swift module hides (sendmmsg with GSO, signalfd, getrandom).
        .target(name: "CWire"),

        // Pure.
        // SHA-256, HMAC-SHA-256, SipHash-2-4 and SHA-1, below everything that signs, seals or hashes.
        .target(name: "Crypto"),
        .target(name: "Wire", dependencies: ["Crypto"]),
        .target(name: "Config", dependencies: ["Wire"]),
        .target(name: "HTTP"),
        // Media framing: MP3 frame headers and streams, JPEG streams (bytes in, whole frames out).
        .target(name: "Media"),
        .target(name: "WebSocket", dependencies: ["HTTP", "Crypto"]),
        // The viewer's live HTTP outputs: multipart MJPEG, Icecast metadata, MP3 bodies, the readers' outboxes.
        .target(name: "StreamHTTP", dependencies: ["HTTP", "Media", "Wire"]),
        .target(name: "Impairment", dependencies: ["Wire"]),
        .target(name: "BrokerCore", dependencies: ["Wire", "Crypto"], path: "Sources/Broker/Core"),
        .target(name: "ProducerCore", dependencies: ["Wire", "Config", "Media", "HTTP"], path: "Sources/Producer/Core"),
        .target(name: "ClientCore", dependencies: ["Wire"], path: "Sources/Client/Core"),
        // The prompt on a terminal: line editing, the live status region, the words for events, number formatting.
        .target(name: "Console", dependencies: ["ClientCore", "Wire"]),
        // The broker's status page and API: JSON, HTML, login and throttling (the app serves them).
        .target(name: "BrokerStatus", dependencies: ["BrokerCore", "HTTP", "Wire"], path: "Sources/Broker/Status"),
        // The pcap format of `broker --capture`: file header and records with synthesised IP and UDP headers.
        .target(name: "Capture", dependencies: ["Wire"]),
        // Matroska (EBML) files of MJPEG video and MP3 audio, written as bytes and patches: the recorder's format.
        .target(name: "Matroska", dependencies: ["Media"]),
        // A producer's recording as segments of Matroska files, their names, and retention: decisions without I/O.
        .target(name: "Recording", dependencies: ["Matroska", "Wire"]),

        // The operating system.
        .target(name: "Platform", dependencies: ["CWire", "Wire", "Config", "HTTP", "WebSocket", "StreamHTTP", "Capture", "Matroska", "Recording"]),

        // Thin executables.
        .executableTarget(
            name: "Broker", dependencies: ["BrokerCore", "BrokerStatus", "Capture", "Platform", "HTTP", "Config"], path: "Sources/Broker/App"),
        // The client's viewer: the page (real files in Page/, embedded at build time), its tabs and the players'
        // URLs, served from the client's own event loop.
        .target(
            name: "Viewer", dependencies: ["ClientCore", "Platform", "HTTP", "Media", "WebSocket", "StreamHTTP", "Wire", "Matroska", "Recording"],
            resources: [.embedInCode("Page/viewer.html"), .embedInCode("Page/viewer.js"), .embedInCode("Page/viewer.css"), .embedInCode("Page/replay.js")]),
        // The publish page's files are embedded at build time (no Bundle, so a static binary carries them).
        .executableTarget(
            name: "Producer", dependencies: ["ProducerCore", "Platform", "Config", "HTTP", "WebSocket", "Wire"], path: "Sources/Producer/App",
            resources: [.embedInCode("Publish/publish.html"), .embedInCode("Publish/publish.js"), .embedInCode("Publish/publish.css")]),
        .executableTarget(
            name: "Client", dependencies: ["ClientCore", "Console", "Viewer", "Platform", "Config", "HTTP", "Recording", "Wire"], path: "Sources/Client/App"),
        // The benchmark's load generator: many subscriber sessions in one process.
        .executableTarget(name: "LoadGenerator", dependencies: ["ClientCore", "Console", "Platform", "Config", "Wire"]),
        // Sample datagrams of every message from Wire's encoders, for the Wireshark dissector test.
        .executableTarget(name: "WireSamples", dependencies: ["Wire", "Crypto", "Capture", "Platform"]),
        // A relay that loses, duplicates and reorders datagrams, for tests and benchmarks.
        .executableTarget(name: "Relay", dependencies: ["Impairment", "Platform", "Config"]),

        // The in-memory network and the deterministic simulation (virtual clock, seeded loss), shared by tests.
        .target(
            name: "SimulationSupport", dependencies: ["Wire", "Impairment", "BrokerCore", "ProducerCore", "ClientCore"],
            path: "Tests/SimulationSupport"),

        // A seeded PRNG for the parsers' fuzz tests.
        .target(name: "TestRandom", path: "Tests/TestRandom"),
        .testTarget(name: "CryptoTests", dependencies: ["Crypto", "TestRandom"]),
        .testTarget(name: "WireTests", dependencies: ["Wire", "Crypto", "SimulationSupport"]),
        .testTarget(name: "ConfigTests", dependencies: ["Config"]),
        .testTarget(name: "HTTPTests", dependencies: ["HTTP", "TestRandom"]),
        .testTarget(name: "MediaTests", dependencies: ["Media", "TestRandom"]),
        .testTarget(name: "WebSocketTests", dependencies: ["WebSocket", "HTTP", "TestRandom"]),
        .testTarget(name: "StreamHTTPTests", dependencies: ["StreamHTTP", "HTTP", "Media", "Wire"]),
        .testTarget(name: "PlatformTests", dependencies: ["Platform", "Wire", "HTTP", "WebSocket", "Recording", "SimulationSupport"]),
        .testTarget(name: "BrokerCoreTests", dependencies: ["BrokerCore", "Wire", "SimulationSupport"]),
        .testTarget(name: "BrokerStatusTests", dependencies: ["BrokerStatus", "BrokerCore", "HTTP", "Wire", "SimulationSupport"]),
        .testTarget(name: "CaptureTests", dependencies: ["Capture", "Wire"]),
        .testTarget(name: "ProducerCoreTests", dependencies: ["ProducerCore", "Wire", "Config", "Media", "HTTP", "SimulationSupport"]),
        .testTarget(name: "MatroskaTests", dependencies: ["Matroska"]),
        .testTarget(name: "RecordingTests", dependencies: ["Recording", "Matroska", "Wire"]),
        .testTarget(name: "ClientCoreTests", dependencies: ["ClientCore", "Wire", "SimulationSupport"]),
        .testTarget(name: "ConsoleTests", dependencies: ["Console"]),
        .testTarget(name: "ViewerTests", dependencies: ["Viewer", "ClientCore", "Wire", "HTTP", "Matroska", "Recording"]),
        .testTarget(name: "ImpairmentTests", dependencies: ["Impairment", "Wire"]),
        .testTarget(name: "SimulationTests", dependencies: ["SimulationSupport", "Wire", "BrokerCore", "ClientCore", "ProducerCore"]),
        .testTarget(name: "IntegrationTests", dependencies: ["Wire"]),
    ],
    swiftLanguageModes: [.v6]
)
