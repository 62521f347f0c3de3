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

    public var outcome: Outcome
    /// Names of every enforced selector that matched, in profile order: the sending ones, and
    /// the effect-only ones when the pod is sent. Their effects apply unless the pod is incompatible.
    public var matchedSelectors: [String]
    /// The first sending selector; it decides the policy (or would have, for an incompatible pod).
    public var decidingSelector: String?
    public var policy: SchedulingPolicy?
    /// The JSON Patch as text (`[{"op":"add",...}]`), as the response carries it; empty when
    /// nothing is added.
    public var patchJSON: [UInt8]
    /// Warnings for the response (e.g. a kept nodeSelector conflict, a failed compatibility check).
    public var warnings: [String]
    /// The compatibility checks the pod failed, in `CompatibilityCheck`'s order; empty unless
    /// the outcome is `incompatible`.
    public var incompatibilities: [CompatibilityFailure]
    /// Names of the audit selectors that matched, in profile order (SPEC §1, `mode`).
    public var auditSelectors: [String]

    public init(outcome: Outcome, matchedSelectors: [String] = [], decidingSelector: String? = nil,
                policy: SchedulingPolicy? = nil, patchJSON: [UInt8] = [], warnings: [String] = [],
                incompatibilities: [CompatibilityFailure] = [], auditSelectors: [String] = []) {
        self.outcome = outcome
        self.matchedSelectors = matchedSelectors
        self.decidingSelector = decidingSelector
        self.policy = policy
        self.patchJSON = patchJSON
        self.warnings = warnings
        self.incompatibilities = incompatibilities
        self.auditSelectors = auditSelectors
    }

    /// The operations of the patch, read back from its text.
    public var patch: [JSONPatchOperation] {
        [JSONPatchOperation](written: patchJSON)
    }

    /// The response's `auditAnnotations`: the deciding selector and its policy (SPEC §2.7), the
    /// failed compatibility checks (§2.10) and the matching audit selectors (§1).
    public var auditAnnotations: [KeyValue] {
        var annotations: [KeyValue] = []
        if let decidingSelector, let policy {
            annotations = [KeyValue("selector", decidingSelector), KeyValue("policy", policy.rawValue)]
        }
        if !incompatibilities.isEmpty {
            annotations.append(KeyValue("incompatible", incompatibilities.map(\.check.rawValue).joined(separator: ",")))
        }
        if !auditSelectors.isEmpty {
            annotations.append(KeyValue("auditSelectors", auditSelectors.joined(separator: ",")))
        }
        return annotations
    }
}
