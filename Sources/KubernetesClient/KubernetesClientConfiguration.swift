import Foundation

/// Where the Kubernetes API server is and how to authenticate to it.
public struct KubernetesClientConfiguration: Sendable, Equatable {
    /// PEM material given as a file path or as the bytes themselves.
    public enum PEMSource: Sendable, Equatable {
        /// A PEM file, read again for each new connection.
        case file(String)
        /// PEM bytes, used from memory.
        case bytes([UInt8])
    }

    /// How requests carry a bearer token.
    public enum BearerToken: Sendable, Equatable {
        /// No `Authorization` header.
        case none
        /// A fixed token.
        case literal(String)
        /// A token file, re-read periodically and after a 401 (projected service account tokens rotate).
        case file(String)
    }

    /// The default directory where kubelet mounts the service account token, CA and namespace.
    public static let defaultServiceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount"

    /// Base URL of the API server, such as `https://10.0.0.1:443`.
    public var server: String
    /// CA bundle that verifies the server; nil uses the system trust store.
    public var certificateAuthority: PEMSource?
    /// Skip server certificate verification (kubeconfig `insecure-skip-tls-verify`).
    public var insecureSkipTLSVerify: Bool
    /// Client certificate for mutual TLS.
    public var clientCertificate: PEMSource?
    /// Private key of the client certificate.
    public var clientKey: PEMSource?
    /// Bearer token source.
    public var bearerToken: BearerToken
    /// Namespace of the service account or kubeconfig context, when known.
    public var namespace: String?
    /// Limit on establishing a connection (TCP and TLS).
    public var connectTimeout: Duration = .seconds(10)
    /// Limit on a whole non-watch request.
    public var requestTimeout: Duration = .seconds(30)
    /// How long a token read from a file is used before the file is read again.
    public var tokenRefreshInterval: Duration = .seconds(60)
    /// Largest response body (or single watch line) accepted.
    public var maximumResponseBytes: Int = 32 << 20

    /// Creates a configuration from explicit values.
    public init(
        server: String,
        certificateAuthority: PEMSource? = nil,
        insecureSkipTLSVerify: Bool = false,
        clientCertificate: PEMSource? = nil,
        clientKey: PEMSource? = nil,
        bearerToken: BearerToken = .none,
        namespace: String? = nil
    ) {
        self.server = server
        self.certificateAuthority = certificateAuthority
        self.insecureSkipTLSVerify = insecureSkipTLSVerify
        self.clientCertificate = clientCertificate
        self.clientKey = clientKey
        self.bearerToken = bearerToken
        self.namespace = namespace
    }

    /// The pod's service account: `KUBERNETES_SERVICE_HOST`/`_PORT` and the mounted token, CA and namespace.
    public static func inCluster(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        serviceAccountDirectory: String = defaultServiceAccountDirectory
    ) throws(KubernetesClientConfigurationError) -> KubernetesClientConfiguration {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty else {
            throw .missingEnvironment("KUBERNETES_SERVICE_HOST")
        }
        guard let port = environment["KUBERNETES_SERVICE_PORT"], !port.isEmpty else {
            throw .missingEnvironment("KUBERNETES_SERVICE_PORT")
        }
        let directory = URL(fileURLWithPath: serviceAccountDirectory)
        let tokenPath = directory.appendingPathComponent("token").path
        let caPath = directory.appendingPathComponent("ca.crt").path
        for path in [tokenPath, caPath] where !FileManager.default.isReadableFile(atPath: path) {
            throw .unreadableFile(path)
        }
        let namespacePath = directory.appendingPathComponent("namespace").path
        let namespace = (try? String(contentsOfFile: namespacePath, encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let hostPart = host.contains(":") ? "[\(host)]" : host
        return KubernetesClientConfiguration(
            server: "https://\(hostPart):\(port)",
            certificateAuthority: .file(caPath),
            bearerToken: .file(tokenPath),
            namespace: namespace.flatMap { $0.isEmpty ? nil : $0 }
        )
    }
}
