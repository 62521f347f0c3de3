// swift-tools-version: 5.4
// libFuzzer targets for eci-profile's input boundaries. Build and run them with `scripts/fuzz`, which
// passes `-sanitize=fuzzer,address -parse-as-library`: libFuzzer's `main` then drives each target's
// `LLVMFuzzerTestOneInput`. Tools version 5.4 on purpose: from 5.5 on, SwiftPM links executables
// with `main` aliased to `<module>_main`, a symbol that `-parse-as-library` never emits.
import PackageDescription

let httpTypes: Target.Dependency = .product(name: "HTTPTypes", package: "swift-http-types")

func core(_ name: String) -> Target.Dependency {
    .product(name: name, package: "eci-profile")
}

let package = Package(
    name: "eci-profile-fuzz",
    platforms: [.macOS("15.0")],
    dependencies: [
        .package(name: "eci-profile", path: ".."),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.3.0"),
    ],
    targets: [
        // Input splitting shared by the byte-stream targets.
        .target(name: "FuzzSupport"),

        // HTTP/1.1 request parser: split-invariant events, head before request, bodies within limits.
        .executableTarget(name: "fuzz-http1", dependencies: ["FuzzSupport", core("HTTP1")]),
        // HTTP/2 server session after the client preface: never crashes or hangs, every request answered.
        .executableTarget(name: "fuzz-http2", dependencies: ["FuzzSupport", core("HTTP2"), httpTypes]),
        // AdmissionReview decode, review and encode; patches apply and are idempotent.
        .executableTarget(name: "fuzz-admission", dependencies: [core("ECIProfileCore"), core("AdmissionCodec")]),
        // Profile validation; valid profiles round-trip through their ConfigMap data.
        .executableTarget(name: "fuzz-profile", dependencies: [core("ECIProfileCore")]),
    ]
)
