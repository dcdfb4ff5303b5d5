// swift-tools-version:6.0
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
            dependencies: ["StrataColumnar", .product(name: "Yams", package: "Yams")]
        ),
        .target(name: "StrataPostgres", dependencies: ["CLibPQ", "StrataColumnar"]),
        .target(name: "StrataRedis", dependencies: ["CHiredis"]),
        .target(name: "StrataEmbedded"),
        .executableTarget(name: "StrataMigrationsEmbedder"),
        .plugin(name: "EmbedMigrations", capability: .buildTool(), dependencies: ["StrataMigrationsEmbedder"]),
        .target(
            name: "StrataMigrations",
            path: "migrations",
            exclude: ["README.md", "sql"],
            sources: ["StrataMigrations.swift"],
            plugins: ["EmbedMigrations"]
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
            dependencies: ["StrataPostgres", "StrataColumnar"]
        ),
        .executableTarget(
            name: "strata",
            dependencies: [
                "StrataCore", "StrataPostgres", "StrataRedis", "StrataEmbedded",
                "StrataRegistry", "StrataOffline", "StrataOnline", "StrataTraining", "StrataMonitoring", "StrataExample",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "strata-bench",
            dependencies: [
                "CLibPQ", "CHiredis", "StrataColumnar", "StrataCore", "StrataPostgres",
                "StrataRedis", "StrataEmbedded", "StrataRegistry", "StrataOffline",
                "StrataOnline", "StrataTraining", "StrataMonitoring", "StrataExample",
            ]
        ),
        .target(
            name: "StrataTestSupport",
            dependencies: ["StrataEmbedded", "StrataPostgres", "StrataRedis", "StrataColumnar"]
        ),
        .testTarget(name: "StrataColumnarTests", dependencies: ["StrataColumnar"]),
        .testTarget(name: "StrataCoreTests", dependencies: ["StrataCore"]),
        .testTarget(name: "StrataTrainingTests", dependencies: ["StrataTraining", "StrataColumnar"]),
        .testTarget(
            name: "StrataMonitoringTests",
            dependencies: ["StrataMonitoring", "StrataColumnar"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "StrataIntegrationTests",
            dependencies: [
                "StrataTestSupport", "StrataCore", "StrataPostgres", "StrataRedis",
                "StrataEmbedded", "StrataRegistry", "StrataOffline", "StrataOnline",
                "StrataTraining", "StrataMonitoring", "StrataExample", "StrataColumnar", "StrataMigrations",
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
