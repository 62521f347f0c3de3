/// A validated eci-profile: everything optional in the ConfigMap has been resolved to a value,
/// so matching and planning never meet a missing field.
public struct Profile: Sendable, Hashable {
    /// nodeSelector entries that send a pod to virtual nodes.
    public static let defaultVirtualNodeSelector = [KeyValue("type", "virtual-kubelet")]
    /// Tolerations for the virtual nodes' taint.
    public static let defaultVirtualNodeTolerations = [
        Toleration(key: "virtual-kubelet.io/provider", operator: .exists, effect: "NoSchedule"),
    ]

    public var selectors: [ProfileSelector]
    public var virtualNodeSelector: [KeyValue]
    public var virtualNodeTolerations: [Toleration]
    /// The ECI compatibility checks enforced (SPEC §2.10), in `CompatibilityCheck`'s order;
    /// empty turns the guard off.
    public var compatibilityChecks: [CompatibilityCheck]
    /// The cluster-level ECI settings, validated and kept as written (not used for mutation).
    public var clusterSettings: [KeyValue]

    public init(selectors: [ProfileSelector] = [], virtualNodeSelector: [KeyValue] = Profile.defaultVirtualNodeSelector,
                virtualNodeTolerations: [Toleration] = Profile.defaultVirtualNodeTolerations,
                compatibilityChecks: [CompatibilityCheck] = CompatibilityCheck.allCases, clusterSettings: [KeyValue] = []) {
        self.selectors = selectors
        self.virtualNodeSelector = virtualNodeSelector
        self.virtualNodeTolerations = virtualNodeTolerations
        self.compatibilityChecks = compatibilityChecks
        self.clusterSettings = clusterSettings
    }

    /// The profile in force when the ConfigMap is absent: nothing matches.
    public static let empty = Profile()
}
