// swift-tools-version: 6.0
import PackageDescription

let httpTypes: Target.Dependency = .product(name: "HTTPTypes", package: "swift-http-types")
let logging: Target.Dependency = .product(name: "Logging", package: "swift-log")

/// The connection, TLS and event loop objects are classes used from one loop thread, whose every field access
/// a release build otherwise checks for overlapping access at run time (`swift_beginAccess`): ~2.5k
/// instructions of ~166k per HTTP/1.1 request (callgrind). Debug builds, and so the tests, keep the checks.
let transportSettings: [SwiftSetting] = [
    .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
]

let package = Package(
    name: "eci-profile",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "eci-profile", targets: ["eci-profile"]),
        // Libraries for the fuzz targets in Fuzz/ (a package of its own, built with -sanitize=fuzzer).
        .library(name: "ECIProfileCore", targets: ["ECIProfileCore"]),
        .library(name: "AdmissionCodec", targets: ["AdmissionCodec"]),
        .library(name: "HTTP1", targets: ["HTTP1"]),
        .library(name: "HTTP2", targets: ["HTTP2"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.3.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // C libraries, each imported by exactly one Swift wrapper module.
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CNGHTTP2", pkgConfig: "libnghttp2", providers: [.apt(["libnghttp2-dev"])]),
        .target(name: "CLinuxShims"),

        // Pure logic: profile, validation, selectors, mutation planning, JSON and JSON Patch.
        .target(name: "ECIProfileCore"),
        // AdmissionReview bytes <-> request/response.
        .target(name: "AdmissionCodec", dependencies: ["ECIProfileCore"]),
        // Profiles, pods and namespace labels read from files (ConfigMap YAML, mounted directories).
        .target(name: "ProfileSource", dependencies: ["ECIProfileCore", .product(name: "Yams", package: "Yams")]),

        // Transport siblings: none imports another; HTTPServer wires them.
        .target(name: "TLSEngine", dependencies: ["COpenSSL"], swiftSettings: transportSettings),
        .target(name: "HTTP1", dependencies: [httpTypes]),
        .target(name: "HTTP2", dependencies: ["CNGHTTP2", httpTypes]),
        .target(name: "EventLoop", dependencies: ["CLinuxShims"], swiftSettings: transportSettings),
        .target(
            name: "HTTPServer", dependencies: ["TLSEngine", "HTTP1", "HTTP2", "EventLoop", httpTypes, logging],
            swiftSettings: transportSettings),

        // A small Kubernetes API client (HTTP/1.1 on TLSEngine): in-cluster and kubeconfig auth, list+watch, Events.
        .target(name: "KubernetesClient", dependencies: ["TLSEngine", "HTTP1", logging, .product(name: "Yams", package: "Yams")]),

        // Metrics (Prometheus text page) and log handlers (JSON / text, redaction); no server imports.
        .target(name: "Observability", dependencies: [logging, .product(name: "Prometheus", package: "swift-prometheus")]),

        // The impact of a profile change (`eci-profile diff`): inputs and cluster workloads read
        // into pods, planned under two profiles, compared and reported.
        .target(name: "ProfileImpact", dependencies: ["ECIProfileCore", "AdmissionCodec", "ProfileSource", "KubernetesClient"]),

        // The webhook: routes, readiness, profile state; knows pods, not sockets.
        .target(name: "WebhookServer", dependencies: [
            "ECIProfileCore", "AdmissionCodec", "ProfileSource", "HTTPServer", "TLSEngine", "EventLoop", "Observability",
            "KubernetesClient", httpTypes, logging,
        ]),

        .executableTarget(name: "eci-profile", dependencies: [
            "ECIProfileCore", "AdmissionCodec", "ProfileSource", "WebhookServer", "HTTPServer", "TLSEngine", "EventLoop",
            "Observability", "KubernetesClient", "ProfileImpact", logging,
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], exclude: ["symbol-order.txt"], linkerSettings: [
            // lld with packed relative relocations (DT_RELR, glibc 2.36+): the 80,000 relocations of the
            // statically linked Swift runtime and Foundation shrink from a 1.9 MiB table that every process
            // reads at start to 15 KiB. Measured: peak RSS under load 31.6 -> 28.0 MiB.
            .unsafeFlags(["-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs"], .when(platforms: [.linux])),
            // The functions serving runs laid out together first, then those only start-up runs (the list is
            // made by scripts/symbol-order). The kernel maps code 64 KiB around each page fault, so scattered
            // code made the resident size. Measured: start-up peak (VmHWM) 14.7-14.8 -> 13.3-13.7 MiB, peak RSS
            // under the HTTP/1.1 bench load 15.0-15.1 -> 13.8-14.2 MiB.
            .unsafeFlags([
                "-Xlinker", "--symbol-ordering-file=\(Context.packageDirectory)/Sources/eci-profile/symbol-order.txt",
                "-Xlinker", "--no-warn-symbol-ordering",
            ], .when(platforms: [.linux], configuration: .release)),
        ]),

        // The admission hot path without the network, for scripts/bench.
        .executableTarget(name: "planning-benchmark", dependencies: ["ECIProfileCore", "AdmissionCodec", "ProfileSource"]),

        .testTarget(name: "ECIProfileCoreTests", dependencies: ["ECIProfileCore"], exclude: ["Fixtures"]),
        .testTarget(name: "AdmissionCodecTests", dependencies: ["AdmissionCodec", "ECIProfileCore"]),
        .testTarget(name: "ProfileSourceTests", dependencies: ["ProfileSource", "ECIProfileCore"]),
        .testTarget(name: "ProfileImpactTests", dependencies: ["ProfileImpact", "ECIProfileCore"]),
        .testTarget(name: "ObservabilityTests", dependencies: ["Observability", logging]),
        .testTarget(name: "KubernetesClientTests", dependencies: ["KubernetesClient", logging], exclude: ["fake_apiserver.py"]),
        // Test support (not shipped): certificates made with the openssl CLI and child processes,
        // shared by the TLS-using test targets.
        .target(name: "TLSTestSupport"),
        .testTarget(name: "TLSEngineTests", dependencies: ["TLSEngine", "COpenSSL", "TLSTestSupport"]),
        .testTarget(name: "HTTP1Tests", dependencies: ["HTTP1", httpTypes]),
        .testTarget(name: "HTTP2Tests", dependencies: ["HTTP2", "CNGHTTP2", httpTypes]),
        .testTarget(name: "EventLoopTests", dependencies: ["EventLoop"]),
        .testTarget(name: "HTTPServerTests", dependencies: ["HTTPServer", "TLSEngine", "EventLoop", "TLSTestSupport", httpTypes, logging]),
    ]
)
