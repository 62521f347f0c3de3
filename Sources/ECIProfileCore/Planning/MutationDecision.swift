/// What the webhook decided for one request: the answer to send and the facts behind it.
public struct MutationDecision: Sendable, Equatable {
    /// Why the request was not looked at more closely.
    public enum SkipReason: String, Sendable {
        /// Not a pod CREATE (an UPDATE, another resource, a subresource).
        case notPodCreation = "not a pod creation"
        /// The namespace is in the excluded list.
        case excludedNamespace = "excluded namespace"
    }

    /// The overall outcome, for metrics and logs.
    public enum Outcome: Sendable, Equatable {
        case skipped(SkipReason)
        /// Looked at; no selector sends the pod to virtual nodes.
        case unmatched
        /// A selector sends the pod to virtual nodes; the patch may still be empty when the pod
        /// already has everything (a reinvocation).
        case matched
        /// A selector would send the pod, but it fails an enforced ECI compatibility check
        /// (SPEC §2.10): allowed unchanged, with a warning per failed check.
        case incompatible
    }

    public let outcome: Outcome
    /// Names of every enforced selector that matched, in profile order: the sending ones, and
    /// the effect-only ones when the pod is sent. Their effects apply unless the pod is incompatible.
    public let matchedSelectors: [String]
    /// The first sending selector; it decides the policy (or would have, for an incompatible pod).
    public let decidingSelector: String?
    public let policy: SchedulingPolicy?
    /// The JSON Patch as text (`[{"op":"add",...}]`), as the response carries it; empty when
    /// nothing is added.
    public let patchJSON: [UInt8]
    /// Warnings for the response (e.g. a kept nodeSelector conflict, a failed compatibility check).
    public let warnings: [String]
    /// The compatibility checks the pod failed, in `CompatibilityCheck`'s order; empty unless
    /// the outcome is `incompatible`.
    public let incompatibilities: [CompatibilityFailure]
    /// Names of the audit selectors that matched, in profile order (SPEC §1, `mode`).
    public let auditSelectors: [String]
    /// The response's `auditAnnotations`: the deciding selector and its policy (SPEC §2.7), the
    /// failed compatibility checks (§2.10) and the matching audit selectors (§1). Made with the
    /// decision: the deciding selector's pair comes prepared with the profile, so a request that
    /// adds nothing to it allocates no array for it (callgrind, `serve`, bench review: 450
    /// instructions per request for making and freeing it).
    public let auditAnnotations: [KeyValue]

    public init(outcome: Outcome, matchedSelectors: [String] = [], decidingSelector: String? = nil,
                policy: SchedulingPolicy? = nil, patchJSON: [UInt8] = [], warnings: [String] = [],
                incompatibilities: [CompatibilityFailure] = [], auditSelectors: [String] = []) {
        let deciding = decidingSelector.flatMap { name in policy.map { Self.decidingAnnotations(selector: name, policy: $0) } }
        self.init(outcome: outcome, matchedSelectors: matchedSelectors, deciding: deciding ?? [], decidingSelector: decidingSelector,
                  policy: policy, patchJSON: patchJSON, warnings: warnings, incompatibilities: incompatibilities,
                  auditSelectors: auditSelectors)
    }

    /// A decision whose deciding selector's annotations are `deciding`, as
    /// `decidingAnnotations(selector:policy:)` makes them (the planner's are prepared).
    init(outcome: Outcome, matchedSelectors: [String], deciding: [KeyValue], decidingSelector: String?,
         policy: SchedulingPolicy?, patchJSON: [UInt8] = [], warnings: [String], incompatibilities: [CompatibilityFailure] = [],
         auditSelectors: [String]) {
        self.outcome = outcome
        self.matchedSelectors = matchedSelectors
        self.decidingSelector = decidingSelector
        self.policy = policy
        self.patchJSON = patchJSON
        self.warnings = warnings
        self.incompatibilities = incompatibilities
        self.auditSelectors = auditSelectors
        var annotations = deciding
        if !incompatibilities.isEmpty {
            annotations.append(KeyValue("incompatible", incompatibilities.map(\.check.rawValue).joined(separator: ",")))
        }
        if !auditSelectors.isEmpty {
            annotations.append(KeyValue("auditSelectors", auditSelectors.joined(separator: ",")))
        }
        auditAnnotations = annotations
    }

    /// The annotations naming the deciding selector and its policy (SPEC §2.7).
    static func decidingAnnotations(selector: String, policy: SchedulingPolicy) -> [KeyValue] {
        [KeyValue("selector", selector), KeyValue("policy", policy.rawValue)]
    }

    /// The operations of the patch, read back from its text.
    public var patch: [JSONPatchOperation] {
        [JSONPatchOperation](written: patchJSON)
    }
}
