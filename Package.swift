// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "energy-agent",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "energy-agent", targets: ["energy-agent"]),
        .executable(name: "energy-cluster", targets: ["energy-cluster"]),
    ],
    targets: [
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .systemLibrary(
            name: "CUdev",
            pkgConfig: "libudev",
            providers: [.apt(["libudev-dev"])]
        ),
        .target(name: "SensorFormat"),
        .target(name: "MeanShift", linkerSettings: [.linkedLibrary("m", .when(platforms: [.linux]))]),
        .target(name: "ClusterProtocol", dependencies: ["MeanShift"]),
        .target(name: "EventStore", dependencies: ["CSQLite", "SensorFormat"]),
        .target(name: "SerialDevices", dependencies: ["CUdev"]),
        .target(name: "Reports", dependencies: ["EventStore", "SensorFormat"]),
        .target(
            name: "Agent",
            dependencies: ["SensorFormat", "EventStore", "SerialDevices", "Reports", "ClusterProtocol", "MeanShift"]
        ),
        .executableTarget(name: "energy-agent", dependencies: ["Agent"]),
        .executableTarget(name: "energy-cluster", dependencies: ["MeanShift", "ClusterProtocol"]),
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "SensorFormatTests", dependencies: ["SensorFormat", "TestSupport"]),
        .testTarget(name: "MeanShiftTests", dependencies: ["MeanShift", "ClusterProtocol", "TestSupport"]),
        .testTarget(name: "EventStoreTests", dependencies: ["EventStore", "SensorFormat", "TestSupport"]),
        .testTarget(name: "SerialDevicesTests", dependencies: ["SerialDevices"]),
        .testTarget(
            name: "AgentTests", dependencies: ["Agent", "EventStore", "SensorFormat", "Reports", "TestSupport"]),
        .testTarget(name: "ReportsTests", dependencies: ["Reports", "EventStore", "SensorFormat", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
