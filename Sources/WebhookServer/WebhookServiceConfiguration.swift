public import HTTPServer
public import KubernetesClient

/// Where the profile and namespace labels come from (SPEC §4).
public enum ProfileSourceConfiguration: Sendable {
    /// A ConfigMap YAML file or mounted ConfigMap directory (nil: the empty profile) and a
    /// namespace-labels file (nil: every namespace unlabelled); both watched for changes.
    case files(profile: String?, namespaceLabels: String?)
    /// A list+watch of the ConfigMap `profileNamespace/profileName` and of namespaces.
    case kubernetes(client: KubernetesClientConfiguration, profileNamespace: String, profileName: String)
}

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
    /// Where the profile and namespace labels come from.
    public var source: ProfileSourceConfiguration
    /// Namespaces whose pods are never changed.
    public var excludedNamespaces: Set<String>

    public init(webhook: HTTPServerConfiguration, metrics: HTTPServerConfiguration?, workers: Int,
                shutdownDelay: Duration, shutdownGrace: Duration, source: ProfileSourceConfiguration,
                excludedNamespaces: Set<String>) {
        self.webhook = webhook
        self.metrics = metrics
        self.workers = workers
        self.shutdownDelay = shutdownDelay
        self.shutdownGrace = shutdownGrace
        self.source = source
        self.excludedNamespaces = excludedNamespaces
    }
}
