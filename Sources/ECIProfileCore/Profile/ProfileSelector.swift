/// Where a selected pod may run (SPEC §2.3).
public enum SchedulingPolicy: String, Sendable, CaseIterable {
    /// Only on virtual nodes: the virtual-node nodeSelector and tolerations are added.
    case virtualNodeOnly
    /// On normal nodes first, overflowing to virtual nodes: tolerations plus a preferred
    /// node-affinity term against virtual nodes.
    case normalNodePrefer
    /// Anywhere: tolerations only.
    case fair
}

/// Whether a selector changes pods or is only watched (SPEC §1, `mode`).
public enum SelectorMode: String, Sendable, CaseIterable {
    /// Matched selectors send pods and add their effects.
    case enforce
    /// Matched selectors are only reported (audit annotation `auditSelectors`, metric); they
    /// never change a pod and take no part in deciding where it runs.
    case audit
}

/// What a matching selector adds to a pod's metadata.
public struct SelectorEffect: Sendable, Hashable {
    public var annotations: [KeyValue]
    public var labels: [KeyValue]

    public init(annotations: [KeyValue] = [], labels: [KeyValue] = []) {
        self.annotations = annotations
        self.labels = labels
    }
}

/// One entry of the profile's `selectors`.
public struct ProfileSelector: Sendable, Hashable {
    public var name: String
    public var namespaceSelector: LabelSelector?
    public var objectSelector: LabelSelector?
    public var policy: SchedulingPolicy
    public var mode: SelectorMode
    public var effect: SelectorEffect

    public init(name: String, namespaceSelector: LabelSelector? = nil, objectSelector: LabelSelector? = nil,
                policy: SchedulingPolicy = .virtualNodeOnly, mode: SelectorMode = .enforce, effect: SelectorEffect = SelectorEffect()) {
        self.name = name
        self.namespaceSelector = namespaceSelector
        self.objectSelector = objectSelector
        self.policy = policy
        self.mode = mode
        self.effect = effect
    }

    /// A selector with neither a namespace nor an object selector: it never sends a pod to
    /// virtual nodes by itself, but its effect joins every pod another selector sends there.
    public var isEffectOnly: Bool { namespaceSelector == nil && objectSelector == nil }
}
