/// What a pod asks of its node that the ECI compatibility checks look at (SPEC §2.10), read from
/// the pod's `metadata.ownerReferences` and `spec`. Empty for an ordinary pod: only what fails a
/// check is kept, so decoding a typical pod allocates nothing here.
public struct CompatibilityFacts: Sendable, Equatable {
    /// A container of the pod, named as a warning names it.
    public struct Container: Sendable, Hashable, CustomStringConvertible {
        public var name: String
        public var isInit: Bool

        public init(name: String, isInit: Bool = false) {
            self.name = name
            self.isInit = isInit
        }

        /// `container "app"` or `init container "setup"`.
        public var description: String { "\(isInit ? "init container" : "container") \"\(name)\"" }
    }

    /// A port that maps a host port.
    public struct HostPort: Sendable, Hashable {
        public var container: Container
        /// The `hostPort` as written (an integer literal).
        public var hostPort: String

        public init(container: Container, hostPort: String) {
            self.container = container
            self.hostPort = hostPort
        }
    }

    /// The name of an `ownerReferences` entry of kind `DaemonSet`.
    public var daemonSetOwner: String?
    /// The node names the required node affinity pins the pod to, when every one of its terms
    /// selects nodes by `metadata.name` (the values of those `matchFields` requirements; empty
    /// when they name none, e.g. `NotIn`); nil when the pod is not pinned.
    public var pinnedNodeNames: [String]?
    /// `spec.hostNetwork`.
    public var hostNetwork: Bool
    /// Names of the volumes with a `hostPath` source, in the pod's order.
    public var hostPathVolumes: [String]
    /// Ports with a non-zero `hostPort`, containers first, then init containers.
    public var hostPorts: [HostPort]
    /// Containers with `securityContext.privileged: true`, containers first, then init containers.
    public var privilegedContainers: [Container]

    public init(daemonSetOwner: String? = nil, pinnedNodeNames: [String]? = nil, hostNetwork: Bool = false,
                hostPathVolumes: [String] = [], hostPorts: [HostPort] = [], privilegedContainers: [Container] = []) {
        self.daemonSetOwner = daemonSetOwner
        self.pinnedNodeNames = pinnedNodeNames
        self.hostNetwork = hostNetwork
        self.hostPathVolumes = hostPathVolumes
        self.hostPorts = hostPorts
        self.privilegedContainers = privilegedContainers
    }
}
