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
    }

    public var outcome: Outcome
    /// Names of every selector whose effect applies, in profile order (sending and effect-only ones).
    public var matchedSelectors: [String]
    /// The first sending selector; it decides the policy.
    public var decidingSelector: String?
    public var policy: SchedulingPolicy?
    public var patch: [JSONPatchOperation]
    /// Warnings for the response (e.g. a kept nodeSelector conflict).
    public var warnings: [String]

    public init(outcome: Outcome, matchedSelectors: [String] = [], decidingSelector: String? = nil,
                policy: SchedulingPolicy? = nil, patch: [JSONPatchOperation] = [], warnings: [String] = []) {
        self.outcome = outcome
        self.matchedSelectors = matchedSelectors
        self.decidingSelector = decidingSelector
        self.policy = policy
        self.patch = patch
        self.warnings = warnings
    }

    /// The response's `auditAnnotations`: the deciding selector and its policy (SPEC §2.7).
    public var auditAnnotations: [KeyValue] {
        guard let decidingSelector, let policy else { return [] }
        return [KeyValue("selector", decidingSelector), KeyValue("policy", policy.rawValue)]
    }
}
