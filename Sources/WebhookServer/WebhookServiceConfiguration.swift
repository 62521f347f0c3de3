public import HTTPServer

/// Everything `eci-profile serve` runs with.
public struct WebhookServiceConfiguration: Sendable {
    /// The TLS listener for admission requests and probes.
    public var webhook: HTTPServerConfiguration
    /// The plain-HTTP listener for probes and metrics; nil when disabled.
    public var metrics: HTTPServerConfiguration?
    /// Event loop threads.
    public var workers: Int
    /// Time between SIGTERM (readiness turns 503 at once) and closing the listeners, so that
    /// endpoints stop sending new requests first.
    public var shutdownDelay: Duration
    /// Time in-flight requests get to finish after the listeners close.
    public var shutdownGrace: Duration
    /// A ConfigMap YAML file or a mounted ConfigMap directory; nil serves the empty profile.
    public var profileFile: String?
    /// A YAML/JSON map of namespace names to labels; nil means every namespace has no labels.
    public var namespaceLabelsFile: String?
    /// Namespaces whose pods are never changed.
    public var excludedNamespaces: Set<String>

    public init(webhook: HTTPServerConfiguration, metrics: HTTPServerConfiguration?, workers: Int,
                shutdownDelay: Duration, shutdownGrace: Duration, profileFile: String?, namespaceLabelsFile: String?,
                excludedNamespaces: Set<String>) {
        self.webhook = webhook
        self.metrics = metrics
        self.workers = workers
        self.shutdownDelay = shutdownDelay
        self.shutdownGrace = shutdownGrace
        self.profileFile = profileFile
        self.namespaceLabelsFile = namespaceLabelsFile
        self.excludedNamespaces = excludedNamespaces
    }
}
