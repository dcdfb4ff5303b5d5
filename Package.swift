// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "Strata",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "strata", targets: ["strata"]),
        .executable(name: "strata-bench", targets: ["strata-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        // Without its default traits Hummingbird does not build swift-configuration, which Strata does not use.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        .systemLibrary(
            name: "CHiredis",
            pkgConfig: "hiredis",
            providers: [.apt(["libhiredis-dev"])]
        ),
        .target(name: "StrataColumnar"),
        .target(
            name: "StrataCore",
            dependencies: [
                "StrataColumnar", .product(name: "Yams", package: "Yams"), .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(name: "StrataPostgres", dependencies: ["CLibPQ", "StrataColumnar"]),
        .target(name: "StrataRedis", dependencies: ["CHiredis"]),
        .target(name: "StrataEmbedded"),
        .executableTarget(name: "StrataTextEmbedder"),
        .plugin(name: "EmbedTextFiles", capability: .buildTool(), dependencies: ["StrataTextEmbedder"]),
        .target(
            name: "StrataMigrations",
            path: "migrations",
            exclude: ["README.md", "sql"],
            sources: ["StrataMigrations.swift"],
            plugins: ["EmbedTextFiles"]
        ),
        .target(
            name: "StrataRegistry",
            dependencies: ["StrataCore", "StrataPostgres", "StrataMigrations"]
        ),
        .target(
            name: "StrataOffline",
            dependencies: ["StrataRegistry", "StrataPostgres", "StrataColumnar", "StrataCore"]
        ),
        .target(
            name: "StrataOnline",
            dependencies: ["StrataRegistry", "StrataRedis", "StrataOffline", "StrataCore"]
        ),
        .target(name: "StrataTraining", dependencies: ["StrataColumnar", "StrataCore"]),
        .target(
            name: "StrataMonitoring",
            dependencies: ["StrataColumnar", "StrataCore", "StrataPostgres", "StrataRegistry", "StrataOffline"]
        ),
        .target(
            name: "StrataExample",
            dependencies: ["StrataPostgres", "StrataColumnar"],
            plugins: ["EmbedTextFiles"]
        ),
        .target(
            name: "StrataServer",
            dependencies: [
                "StrataColumnar", "StrataCore", "StrataPostgres", "StrataRedis", "StrataRegistry", "StrataOffline",
                "StrataOnline", "StrataTraining",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        .executableTarget(
            name: "strata",
            dependencies: [
                "StrataCore", "StrataPostgres", "StrataRedis", "StrataEmbedded",
                "StrataRegistry", "StrataOffline", "StrataOnline", "StrataTraining", "StrataMonitoring", "StrataExample", "StrataServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "strata-bench",
            dependencies: [
                "CLibPQ", "CHiredis", "StrataColumnar", "StrataCore", "StrataPostgres",
                "StrataRedis", "StrataEmbedded", "StrataRegistry", "StrataOffline",
                "StrataOnline", "StrataTraining", "StrataMonitoring", "StrataExample", "StrataServer", "StrataTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
            ]
        ),
        .target(
            name: "StrataFuzzing",
            dependencies: ["StrataColumnar", "StrataCore", "StrataPostgres", "StrataOffline", "StrataOnline", "StrataServer"]
        ),
        .executableTarget(name: "strata-fuzz", dependencies: ["StrataFuzzing"]),
        .target(
            name: "StrataTestSupport",
            dependencies: ["StrataEmbedded", "StrataPostgres", "StrataRedis", "StrataColumnar"]
        ),
        .testTarget(name: "StrataColumnarTests", dependencies: ["StrataColumnar"]),
        .testTarget(name: "StrataCoreTests", dependencies: ["StrataCore"]),
        .testTarget(name: "StrataRedisTests", dependencies: ["StrataRedis", "StrataTestSupport"]),
        .testTarget(name: "StrataTrainingTests", dependencies: ["StrataTraining", "StrataColumnar"]),
        .testTarget(
            name: "StrataMonitoringTests",
            dependencies: ["StrataMonitoring", "StrataColumnar"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "StrataFuzzingTests",
            dependencies: ["StrataFuzzing", "StrataOnline", "StrataCore", "StrataColumnar"]
        ),
        .testTarget(
            name: "StrataFaultTests",
            dependencies: [
                "StrataTestSupport", "StrataColumnar", "StrataCore", "StrataPostgres", "StrataRedis", "StrataEmbedded",
                "StrataRegistry", "StrataOffline", "StrataOnline",
            ]
        ),
        .testTarget(
            name: "StrataIntegrationTests",
            dependencies: [
                "StrataTestSupport", "StrataCore", "StrataPostgres", "StrataRedis",
                "StrataEmbedded", "StrataRegistry", "StrataOffline", "StrataOnline",
                "StrataTraining", "StrataMonitoring", "StrataExample", "StrataColumnar", "StrataMigrations", "StrataServer",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
