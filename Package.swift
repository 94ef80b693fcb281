// swift-tools-version:6.0
import PackageDescription

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
        .target(name: "CWire"),
        .target(name: "Wire", dependencies: ["CWire"]),
        .executableTarget(name: "Broker", dependencies: ["Wire"]),
        .executableTarget(name: "Producer", dependencies: ["Wire"]),
        .executableTarget(name: "Client", dependencies: ["Wire"]),
        // A relay that loses, duplicates and reorders datagrams, for tests and benchmarks.
        .executableTarget(name: "Relay", dependencies: ["Wire"]),
        .testTarget(name: "WireTests", dependencies: ["Wire"]),
        .testTarget(name: "IntegrationTests", dependencies: ["Wire"]),
    ],
    swiftLanguageModes: [.v6]
)
