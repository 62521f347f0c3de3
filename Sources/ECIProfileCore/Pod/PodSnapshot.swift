/// The parts of a pod that matching and planning read. Everything else in the object is left
/// untouched: the webhook answers with a patch, never with a re-serialized pod.
///
/// Maps and arrays are optional: `nil` means the member is absent (or `null`) in the object, so
/// a patch must create it whole; an empty value means it is present.
public struct PodSnapshot: Sendable, Equatable {
    public var name: String?
    public var generateName: String?
    public var labels: StringMap?
    /// The annotation keys: the webhook never overwrites an annotation, so it never needs the
    /// values (often large, such as kubectl's last-applied-configuration).
    public var annotationKeys: Set<String>?
    public var nodeName: String?
    public var nodeSelector: StringMap?
    public var tolerations: [Toleration]?
    public var affinity: Affinity?
    /// What the ECI compatibility checks look at (SPEC §2.10).
    public var compatibility: CompatibilityFacts

    /// What the pod already says about node affinity.
    public struct Affinity: Sendable, Equatable {
        /// Whether `nodeAffinity` is present.
        public var hasNodeAffinity: Bool
        /// `nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution`, nil when absent.
        public var preferredTerms: [JSONValue]?

        public init(hasNodeAffinity: Bool = false, preferredTerms: [JSONValue]? = nil) {
            self.hasNodeAffinity = hasNodeAffinity
            self.preferredTerms = preferredTerms
        }
    }

    /// A pod with every member absent, as decoding starts from. An init of its own because the
    /// memberwise one below, inlined with all its defaulted arguments, made the value twice and
    /// copied it whole from one into the other (callgrind, `serve`, bench review:
    /// `PodSnapshot(from:)` 36.5k -> 35.9k instructions per request).
    public init() {
        compatibility = CompatibilityFacts()
    }

    public init(name: String? = nil, generateName: String? = nil, labels: StringMap? = nil,
                annotationKeys: Set<String>? = nil, nodeName: String? = nil, nodeSelector: StringMap? = nil,
                tolerations: [Toleration]? = nil, affinity: Affinity? = nil, compatibility: CompatibilityFacts = CompatibilityFacts()) {
        self.name = name
        self.generateName = generateName
        self.labels = labels
        self.annotationKeys = annotationKeys
        self.nodeName = nodeName
        self.nodeSelector = nodeSelector
        self.tolerations = tolerations
        self.affinity = affinity
        self.compatibility = compatibility
    }

    /// The name for logs: the name, or `generateName` followed by `*` for pods not yet named.
    public var displayName: String {
        if let name, !name.isEmpty { return name }
        if let generateName, !generateName.isEmpty { return generateName + "*" }
        return "<unnamed>"
    }
}
