/// Why a client configuration could not be built.
public enum KubernetesClientConfigurationError: Error, Equatable, CustomStringConvertible {
    /// An environment variable needed for in-cluster configuration is not set.
    case missingEnvironment(String)
    /// A file named by the configuration cannot be read.
    case unreadableFile(String)
    /// The kubeconfig is not valid YAML or lacks a referenced entry.
    case invalidKubeconfig(path: String, reason: String)
    /// A `*-data` field of the kubeconfig is not valid base64.
    case invalidBase64(field: String)

    public var description: String {
        switch self {
        case .missingEnvironment(let name): "environment variable \(name) is not set (not running in a cluster?)"
        case .unreadableFile(let path): "cannot read \(path)"
        case .invalidKubeconfig(let path, let reason): "invalid kubeconfig \(path): \(reason)"
        case .invalidBase64(let field): "kubeconfig field \(field) is not valid base64"
        }
    }
}
