public import ECIProfileCore

/// What one profile does to one pod, in the terms `diff` compares: where the pod goes, what
/// metadata it gets, what else the patch adds, and which audit selectors watch it.
public struct ImpactOutcome: Sendable, Equatable {
    /// Where the pod goes.
    public enum Placement: Sendable, Equatable {
        /// No selector sends it (or its namespace is excluded): allowed unchanged.
        case notSent
        /// `selector` sends it to virtual nodes with `policy`.
        case sent(selector: String, policy: SchedulingPolicy)
        /// `selector` would send it, but it fails these enforced compatibility checks (SPEC §2.10).
        case keptBack(selector: String, policy: SchedulingPolicy, checks: [CompatibilityCheck])

        /// `notSent`, `sent` or `keptBack`.
        public var name: String {
            switch self {
            case .notSent: "notSent"
            case .sent: "sent"
            case .keptBack: "keptBack"
            }
        }

        /// `not sent`, `sent by "batch" (fair)`, `kept back by hostPath (selector "batch")`.
        public var description: String {
            switch self {
            case .notSent: "not sent"
            case .sent(let selector, let policy): "sent by \"\(selector)\" (\(policy.rawValue))"
            case .keptBack(let selector, _, let checks):
                "kept back by \(checks.map(\.rawValue).joined(separator: ", ")) (selector \"\(selector)\")"
            }
        }
    }

    public var placement: Placement
    /// Annotations and labels the patch adds, in patch order.
    public var annotations: [KeyValue]
    public var labels: [KeyValue]
    /// The rest of the patch: nodeSelector, tolerations, affinity.
    public var scheduling: [JSONPatchOperation]
    /// Audit selectors that match the pod, in profile order.
    public var auditSelectors: [String]

    /// The outcome of a planner's decision.
    public init(_ decision: MutationDecision) {
        switch decision.outcome {
        case .matched:
            placement = .sent(selector: decision.decidingSelector ?? "", policy: decision.policy ?? .virtualNodeOnly)
        case .incompatible:
            placement = .keptBack(selector: decision.decidingSelector ?? "", policy: decision.policy ?? .virtualNodeOnly,
                                  checks: decision.incompatibilities.map(\.check))
        case .unmatched, .skipped:
            placement = .notSent
        }
        annotations = []
        labels = []
        scheduling = []
        auditSelectors = decision.auditSelectors
        for operation in decision.patch {
            let tokens = operation.path.tokens
            guard tokens.count == 2 || tokens.count == 3, tokens[0] == "metadata", tokens[1] == "annotations" || tokens[1] == "labels" else {
                scheduling.append(operation)
                continue
            }
            let added = tokens.count == 2 ? Self.entries(of: operation.value) : [KeyValue(tokens[2], Self.text(of: operation.value))]
            if tokens[1] == "annotations" { annotations += added } else { labels += added }
        }
    }

    private static func entries(of value: JSONValue) -> [KeyValue] {
        guard case .object(let members) = value else { return [] }
        return members.map { KeyValue($0.key, text(of: $0.value)) }
    }

    private static func text(of value: JSONValue) -> String {
        value.stringValue ?? value.jsonString
    }
}
