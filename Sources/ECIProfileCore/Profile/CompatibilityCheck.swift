/// One thing ECI virtual nodes cannot run (SPEC §2.10). A pod that a selector would send to
/// virtual nodes and that fails an enforced check is allowed unchanged instead: sent there, it
/// would stay pending or break.
///
/// The cases are in the SPEC's order, which is also the order of the `incompatible` audit
/// annotation and of the response warnings.
public enum CompatibilityCheck: String, Sendable, CaseIterable, Hashable {
    /// Owned by a DaemonSet: its controller pins the pod to one real node.
    case daemonSet
    /// Every required node-affinity term selects nodes by `metadata.name`.
    case nodePinned
    /// `spec.hostNetwork: true`.
    case hostNetwork
    /// A `hostPath` volume.
    case hostPath
    /// A container or init container port with a non-zero `hostPort`.
    case hostPort
    /// A container or init container with `securityContext.privileged: true`.
    case privileged
}
