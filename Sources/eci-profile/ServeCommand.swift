import ArgumentParser
import EventLoop
import Foundation
import HTTPServer
import KubernetesClient
import Logging
import Observability
import TLSEngine
import WebhookServer

/// `eci-profile serve`: the webhook server.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the mutating webhook over TLS (HTTP/1.1, and HTTP/2 with --enable-http2)."
    )

    @Option(help: "Address to serve the webhook on.")
    var bindAddress = "0.0.0.0"
    @Option(help: "Port to serve the webhook on.")
    var port = 9443
    @Option(help: "Serving certificate (chain) file, PEM.")
    var tlsCertFile: String?
    @Option(help: "Serving private key file, PEM.")
    var tlsPrivateKeyFile: String?
    @Option(help: "Directory holding tls.crt and tls.key (used when the two file flags are not given).")
    var certDir: String?
    @Option(help: "CA bundle for client certificates; when set, clients must present one it verifies.")
    var clientCaFile: String?
    @Option(help: "Lowest TLS version: VersionTLS12 or VersionTLS13.")
    var tlsMinVersion = "VersionTLS12"
    @Flag(help: "Offer HTTP/2 through ALPN (off by default: the HTTP/2 rapid-reset convention).")
    var enableHttp2 = false
    @Option(help: "host:port of the plain-HTTP listener for /metrics, /healthz and /readyz; 0 disables it.")
    var metricsBindAddress = ":8080"
    @Option(help: "Where the profile comes from: kubernetes (the API) or file (default: kubernetes in a cluster or with --kubeconfig, else file).")
    var profileSource: ProfileSourceKind?
    @Option(help: "A kubeconfig for the API (default: the in-cluster service account).")
    var kubeconfig: String?
    @Option(help: "Namespace of the profile ConfigMap.")
    var profileNamespace = "kube-system"
    @Option(help: "Name of the profile ConfigMap.")
    var profileName = "eci-profile"
    @Option(help: "The eci-profile ConfigMap as a YAML file or a mounted ConfigMap directory (file source).")
    var profileFile: String?
    @Option(help: "A YAML/JSON file mapping namespace names to their labels (file source).")
    var namespaceLabelsFile: String?
    @Option(help: "Namespaces whose pods are never changed, separated by commas (default: kube-system and the webhook's own).")
    var excludedNamespaces: String?
    @Option(help: "Largest request body in bytes; larger requests get 413.")
    var maxRequestBytes = 8 << 20
    @Option(help: "Memory limit in bytes (suffixes Ki, Mi, Gi) the connection memory budget is derived from (default: the cgroup's limit).")
    var memoryLimit: ByteCountArgument?
    @Option(help: "Most open connections; more are closed at once.")
    var maxConnections = 4096
    @Option(help: "Time to keep serving after SIGTERM while readiness reports 503.")
    var shutdownDelay = DurationArgument(argument: "5s")!
    @Option(help: "Time in-flight requests get to finish after the listeners close.")
    var shutdownGrace = DurationArgument(argument: "30s")!
    @Option(help: "Time an idle keep-alive connection stays open (must exceed kube-apiserver's 90s).")
    var idleTimeout = DurationArgument(argument: "120s")!
    @Flag(help: ArgumentHelp("Accept an --idle-timeout of 90s or less (for tests only).", visibility: .hidden))
    var allowShortIdleTimeout = false
    @Option(help: "Event loop threads (default: one per core).")
    var workers: Int?
    @Option(help: "Log level: trace, debug, info, notice, warning, error or critical.")
    var logLevel = "info"
    @Option(help: "Log format: json or text (default: text on a terminal, json otherwise, as in a container).")
    var logFormat: LogFormat?

    func validate() throws {
        if certificateFiles == nil {
            throw ValidationError("give --tls-cert-file and --tls-private-key-file, or --cert-dir")
        }
        if tlsVersion == nil { throw ValidationError("--tls-min-version must be VersionTLS12 or VersionTLS13") }
        if Logger.Level(rawValue: logLevel) == nil { throw ValidationError("unknown --log-level \(logLevel)") }
        if metricsBindAddress != "0", Self.hostAndPort(metricsBindAddress) == nil {
            throw ValidationError("--metrics-bind-address must be host:port, :port or 0")
        }
        if let workers, workers < 1 { throw ValidationError("--workers must be at least 1") }
        if idleTimeout.duration <= Self.apiServerIdleTimeout, !allowShortIdleTimeout {
            throw ValidationError("""
                --idle-timeout \(idleTimeout) is too short: kube-apiserver keeps idle connections to webhooks open for 90s \
                and reuses them until then, so a server closing them first makes requests fail; use more than 90s
                """)
        }
        if resolvedSource == .kubernetes, profileFile != nil || namespaceLabelsFile != nil {
            throw ValidationError("--profile-file and --namespace-labels-file go with --profile-source file")
        }
        if resolvedSource == .file, kubeconfig != nil {
            throw ValidationError("--kubeconfig goes with --profile-source kubernetes")
        }
    }

    /// How long kube-apiserver keeps an idle connection to a webhook (Go's http.Transport
    /// IdleConnTimeout in its webhook client); the server must keep connections open longer.
    static let apiServerIdleTimeout = Duration.seconds(90)

    /// Where the profile and namespace labels come from.
    enum ProfileSourceKind: String, ExpressibleByArgument, CaseIterable {
        case kubernetes, file
    }

    /// The source asked for, or the one the environment implies.
    private var resolvedSource: ProfileSourceKind {
        if let profileSource { return profileSource }
        let inCluster = !(ProcessInfo.processInfo.environment["KUBERNETES_SERVICE_HOST"] ?? "").isEmpty
        return kubeconfig != nil || (inCluster && profileFile == nil) ? .kubernetes : .file
    }

    func run() throws {
        // Before any thread exists, so that every thread inherits the blocked mask.
        try SignalWatcher.block([.terminate, .interrupt])
        HeapTrimmer.pinMmapThreshold()
        let logger = makeLogger()
        // Argument parsing alone makes 4.4 MiB resident, mostly code serving never runs (see `StartupPages`).
        StartupPages.release(after: "argument parsing", logger: logger)
        let configuration: WebhookServiceConfiguration
        do {
            configuration = try serviceConfiguration()
        } catch {
            logger.critical("cannot configure the Kubernetes API client: \(error)")
            throw ExitCode.failure
        }
        let service = WebhookService(configuration: configuration, logger: logger)
        do {
            try service.run()
        } catch {
            logger.critical("cannot serve: \(error)")
            throw ExitCode.failure
        }
    }

    private var certificateFiles: (certificate: String, key: String)? {
        if let tlsCertFile, let tlsPrivateKeyFile { return (tlsCertFile, tlsPrivateKeyFile) }
        guard let certDir, tlsCertFile == nil, tlsPrivateKeyFile == nil else { return nil }
        return ((certDir as NSString).appendingPathComponent("tls.crt"), (certDir as NSString).appendingPathComponent("tls.key"))
    }

    private var tlsVersion: TLSVersion? {
        switch tlsMinVersion {
        case "VersionTLS12", "1.2": .v1_2
        case "VersionTLS13", "1.3": .v1_3
        default: nil
        }
    }

    private func serviceConfiguration() throws -> WebhookServiceConfiguration {
        let files = certificateFiles!
        var tls = TLSConfiguration.makeServerConfiguration(certificateChainFile: files.certificate, privateKeyFile: files.key)
        tls.minimumVersion = tlsVersion!
        tls.clientCAFile = clientCaFile
        var webhook = HTTPServerConfiguration(host: bindAddress, port: port, tls: tls, enableHTTP2: enableHttp2)
        webhook.maxRequestBodyBytes = maxRequestBytes
        webhook.maxConnections = maxConnections
        webhook.idleTimeout = idleTimeout.duration
        webhook.memoryBudget = MemoryBudget(limit: ContainerMemoryLimit.budget(forLimit: memoryLimit?.bytes ?? ContainerMemoryLimit.read()))
        let metrics = Self.hostAndPort(metricsBindAddress).map { address in
            var metrics = HTTPServerConfiguration(host: address.host, port: address.port, tls: nil, enableHTTP2: false)
            metrics.maxRequestBodyBytes = 64 << 10
            return metrics
        }
        return WebhookServiceConfiguration(
            webhook: webhook, metrics: metricsBindAddress == "0" ? nil : metrics,
            workers: workers ?? ProcessInfo.processInfo.activeProcessorCount,
            shutdownDelay: shutdownDelay.duration, shutdownGrace: shutdownGrace.duration,
            source: try sourceConfiguration(),
            excludedNamespaces: excludedNamespaces.map { Set($0.split(separator: ",").map(String.init)) } ?? Self.defaultExcludedNamespaces())
    }

    private func sourceConfiguration() throws -> ProfileSourceConfiguration {
        switch resolvedSource {
        case .file:
            return .files(profile: profileFile, namespaceLabels: namespaceLabelsFile)
        case .kubernetes:
            let client = try kubeconfig.map { try KubernetesClientConfiguration.fromKubeconfig(path: $0) }
                ?? KubernetesClientConfiguration.inCluster()
            return .kubernetes(client: client, profileNamespace: profileNamespace, profileName: profileName)
        }
    }

    /// kube-system and the namespace this pod runs in (POD_NAMESPACE, else the service account's).
    private static func defaultExcludedNamespaces() -> Set<String> {
        var namespaces: Set<String> = ["kube-system"]
        if let own = ProcessInfo.processInfo.environment["POD_NAMESPACE"], !own.isEmpty {
            namespaces.insert(own)
        } else if let own = try? String(contentsOfFile: "/var/run/secrets/kubernetes.io/serviceaccount/namespace", encoding: .utf8) {
            namespaces.insert(own.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return namespaces
    }

    /// Parses `host:port`, `:port` (every address) or `[v6]:port`.
    static func hostAndPort(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            return nil
        }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host.isEmpty ? "0.0.0.0" : host, port)
    }

    private func makeLogger() -> Logger {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        let format = logFormat ?? (isatty(STDERR_FILENO) == 1 ? .text : .json)
        LoggingSystem.bootstrap { format.makeHandler(label: $0, level: level) }
        return Logger(label: "eci-profile")
    }
}

extension LogFormat: ExpressibleByArgument {}
