// swift-tools-version: 6.2
import PackageDescription

/// One set of compiler settings for every Swift target.
let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

/// What every service executable stands on.
let serviceDependencies: [Target.Dependency] = [
    "AMQPClient",
    "PostgresClient",
    "Contracts",
    "ServiceRuntime",
    .product(name: "Logging", package: "swift-log"),
    .product(name: "Metrics", package: "swift-metrics"),
    .product(name: "Hummingbird", package: "hummingbird"),
    .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
]

/// A service executable in `Services/<directory>`; adding a service is one line below.
func service(
    _ name: String, directory: String, dependencies: [Target.Dependency] = [], exclude: [String] = [], resources: [Resource] = []
) -> Target {
    .executableTarget(
        name: name, dependencies: serviceDependencies + dependencies, path: "Services/\(directory)", exclude: exclude,
        resources: resources, swiftSettings: swiftSettings)
}

/// A command-line tool in `Tools/<directory>`.
func tool(_ name: String, directory: String, dependencies: [Target.Dependency]) -> Target {
    .executableTarget(name: name, dependencies: dependencies, path: "Tools/\(directory)", swiftSettings: swiftSettings)
}

let services: [Target] = [
    service("sales-intake", directory: "SalesIntake", dependencies: ["ByteText", "SaleValidation"], exclude: ["Validation"]),
    service("billing", directory: "Billing", dependencies: [
        "ByteText", .product(name: "Crypto", package: "swift-crypto"), "CQRencode", "CZlib", "XMLTree",
        .product(name: "AsyncHTTPClient", package: "async-http-client"), .product(name: "NIOSSL", package: "swift-nio-ssl"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
    ]),
    service("orders", directory: "Orders"),
    service("collections", directory: "Collections"),
    service("hr", directory: "HR"),
    service("console", directory: "Console", dependencies: [
        .product(name: "Mustache", package: "swift-mustache"), .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
        .product(name: "AsyncHTTPClient", package: "async-http-client"), .product(name: "Crypto", package: "swift-crypto"), "BrokerAdmin",
        .product(name: "NIOHTTP1", package: "swift-nio"), .product(name: "HTTPTypes", package: "swift-http-types"),
    ], resources: [.copy("Templates"), .copy("Static")]),
]

let tools: [Target] = [
    tool("pos-sim", directory: "PosSim", dependencies: [
        "AMQPClient", "Contracts",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "Histogram", package: "hdrhistogram-swift"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
    ]),
    tool("trastienda", directory: "Trastienda", dependencies: [
        "AMQPClient", "BrokerAdmin", "PostgresClient", "Contracts", "ServiceRuntime",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"),
    ]),
    tool("agency-sim", directory: "AgencySim", dependencies: [
        "XMLTree",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "HummingbirdTLS", package: "hummingbird"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "NIOSSL", package: "swift-nio-ssl"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        .product(name: "UnixSignals", package: "swift-service-lifecycle"),
    ]),
    tool("sale-fuzz", directory: "SaleFuzz", dependencies: ["AMQPClient", "Contracts", "SaleValidation"]),
    tool("amqp-bench", directory: "AMQPBench", dependencies: [
        "AMQPClient",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"),
    ]),
]

/// A shared library in `Shared/<name>`.
func library(_ name: String, dependencies: [Target.Dependency]) -> Target {
    .target(name: name, dependencies: dependencies, path: "Shared/\(name)", swiftSettings: swiftSettings)
}

/// A test target in `Tests/<name>`.
func tests(_ name: String, dependencies: [Target.Dependency]) -> Target {
    .testTarget(name: name, dependencies: dependencies, path: "Tests/\(name)", swiftSettings: swiftSettings)
}

let package = Package(
    name: "trastienda",
    products: services.map { .executable(name: $0.name, targets: [$0.name]) }
        + tools.map { .executable(name: $0.name, targets: [$0.name]) },
    dependencies: [
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-configuration", from: "1.4.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/vapor/jwt-kit", from: "5.8.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
    ],
    targets: [
        // C bindings: the system libraries and the shim for what Swift cannot call.
        .systemLibrary(
            name: "CRabbitMQ", path: "Shared/CRabbitMQ", pkgConfig: "librabbitmq",
            providers: [.apt(["librabbitmq-dev"])]),
        .target(name: "CRabbitMQShim", dependencies: ["CRabbitMQ"], path: "Shared/CRabbitMQShim"),
        // glibc's allocator settings, which Swift's Glibc module does not bring (malloc.h).
        .target(name: "CAllocator", path: "Shared/CAllocator"),
        .systemLibrary(
            name: "CLibPQ", path: "Shared/CLibPQ", pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]),
        .systemLibrary(
            name: "CQRencode", path: "Shared/CQRencode", pkgConfig: "libqrencode",
            providers: [.apt(["libqrencode-dev"])]),
        .systemLibrary(
            name: "CLibXML2", path: "Shared/CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        // libxml2 behind opaque handles, so that no Swift module sees its headers (they bring ICU's, which clash with Foundation's).
        .target(name: "CXMLShim", dependencies: ["CLibXML2"], path: "Shared/CXMLShim"),
        .systemLibrary(name: "CZlib", path: "Shared/CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),

        // The services' common ground.
        // Text as bytes (UUIDs, hex digits, a string's UTF-8 without a copy), under the clients and the contracts.
        library("ByteText", dependencies: []),
        library("AMQPClient", dependencies: [
            "ByteText", "CRabbitMQ", "CRabbitMQShim",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        library("PostgresClient", dependencies: [
            "ByteText", "CLibPQ",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        library("XMLTree", dependencies: ["CXMLShim"]),
        library("BrokerAdmin", dependencies: ["AMQPClient", .product(name: "Logging", package: "swift-log")]),
        library("Contracts", dependencies: ["ByteText", "AMQPClient", "PostgresClient"]),
        // Sales intake's rules of pos.sale.v1, pure: a library of their own so that the fuzz target can drive them.
        .target(
            name: "SaleValidation", dependencies: ["ByteText", "AMQPClient", "Contracts"], path: "Services/SalesIntake/Validation",
            swiftSettings: swiftSettings),
        library("ServiceRuntime", dependencies: [
            "AMQPClient", "ByteText", "CAllocator", "PostgresClient",
            .product(name: "Configuration", package: "swift-configuration"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "JWTKit", package: "jwt-kit"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
        ]),

        // Test support and tests, mirroring the targets; the integration targets need the broker and the database.
        .target(
            name: "TrastiendaTesting",
            dependencies: [
                "AMQPClient", "PostgresClient", "ServiceRuntime", "Contracts", .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/TrastiendaTesting", swiftSettings: swiftSettings),
        tests("AMQPClientTests", dependencies: ["AMQPClient", "CRabbitMQ"]),
        tests("PostgresClientTests", dependencies: ["PostgresClient"]),
        tests("OrdersTests", dependencies: ["orders", "ServiceRuntime"]),
        tests("CollectionsTests", dependencies: ["collections", "Contracts", "ServiceRuntime"]),
        tests("HRTests", dependencies: ["hr"]),
        tests("ContractsTests", dependencies: ["Contracts", "TrastiendaTesting"]),
        tests("ServiceRuntimeTests", dependencies: ["ServiceRuntime", "AMQPClient", "PostgresClient"]),
        tests("SalesIntakeTests", dependencies: ["ByteText", "sales-intake", "SaleValidation", "TrastiendaTesting", "AMQPClient", "Contracts"]),
        tests("BillingTests", dependencies: ["billing", "Contracts"]),
        tests("BillingIntegrationTests", dependencies: ["billing", "Contracts", "PostgresClient", "ServiceRuntime", "TrastiendaTesting"]),
        tests("AccessIntegrationTests", dependencies: [
            "sales-intake", "billing", "orders", "collections", "hr", "ServiceRuntime", "TrastiendaTesting",
            .product(name: "Crypto", package: "swift-crypto"), .product(name: "Hummingbird", package: "hummingbird"),
        ]),
        tests("VerifactuIntegrationTests", dependencies: ["billing", "AMQPClient", "Contracts", "PostgresClient", "XMLTree", "TrastiendaTesting"]),
        tests("ClusterIntegrationTests", dependencies: ["TrastiendaTesting"]),
        tests("ConsoleBrowserTests", dependencies: ["TrastiendaTesting", "AMQPClient", "Contracts", "ServiceRuntime"]),
        tests("ConsoleTests", dependencies: ["console", "ServiceRuntime"]),
        tests("AMQPClientIntegrationTests", dependencies: ["AMQPClient", "TrastiendaTesting"]),
        tests("PostgresClientIntegrationTests", dependencies: ["PostgresClient", "TrastiendaTesting"]),
        tests("ServiceRuntimeIntegrationTests", dependencies: ["ServiceRuntime", "AMQPClient", "PostgresClient", "TrastiendaTesting"]),
        tests("OrdersIntegrationTests", dependencies: ["orders", "Contracts", "AMQPClient", "TrastiendaTesting"]),
        tests("ToolsIntegrationTests", dependencies: ["trastienda", "BrokerAdmin", "AMQPClient", "PostgresClient", "Contracts", "TrastiendaTesting"]),
        tests("HRIntegrationTests", dependencies: ["hr", "Contracts", "AMQPClient", "PostgresClient", "TrastiendaTesting"]),
        tests("CollectionsIntegrationTests", dependencies: ["collections", "Contracts", "AMQPClient", "PostgresClient", "ServiceRuntime", "TrastiendaTesting"]),
        tests("SalesIntakeIntegrationTests", dependencies: [
            "sales-intake", "TrastiendaTesting", "AMQPClient", "PostgresClient", "Contracts", "ServiceRuntime",
        ]),
    ] + services + tools
)
