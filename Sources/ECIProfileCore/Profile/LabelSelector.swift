/// A Kubernetes LabelSelector: every `matchLabels` entry and every expression must hold.
/// An empty selector matches everything.
public struct LabelSelector: Sendable, Hashable {
    /// One `matchExpressions` entry.
    public struct Requirement: Sendable, Hashable {
        /// A set-based operator.
        public enum Operator: String, Sendable, CaseIterable {
            case `in` = "In"
            case notIn = "NotIn"
            case exists = "Exists"
            case doesNotExist = "DoesNotExist"
        }

        public var key: String
        public var `operator`: Operator
        public var values: [String]

        public init(key: String, operator: Operator, values: [String] = []) {
            self.key = key
            self.operator = `operator`
            self.values = values
        }

        /// Whether `labels` satisfy this requirement.
        public func matches(_ labels: some LabelLookup) -> Bool {
            let value = labels[key]
            switch `operator` {
            case .in: return value.map(values.contains) ?? false
            case .notIn: return value.map { !values.contains($0) } ?? true
            case .exists: return value != nil
            case .doesNotExist: return value == nil
            }
        }
    }

    public var matchLabels: [KeyValue]
    public var matchExpressions: [Requirement]

    public init(matchLabels: [KeyValue] = [], matchExpressions: [Requirement] = []) {
        self.matchLabels = matchLabels
        self.matchExpressions = matchExpressions
    }

    /// Whether `labels` satisfy the selector.
    public func matches(_ labels: some LabelLookup) -> Bool {
        matchLabels.allSatisfy { labels[$0.key] == $0.value } && matchExpressions.allSatisfy { $0.matches(labels) }
    }

    /// A short human form, e.g. `team=batch,tier notin (critical)`, as `kubectl` prints selectors.
    public var description: String {
        let labels = matchLabels.map { "\($0.key)=\($0.value)" }
        let expressions = matchExpressions.map { requirement -> String in
            let values = "(" + requirement.values.joined(separator: ",") + ")"
            switch requirement.operator {
            case .in: return "\(requirement.key) in \(values)"
            case .notIn: return "\(requirement.key) notin \(values)"
            case .exists: return requirement.key
            case .doesNotExist: return "!\(requirement.key)"
            }
        }
        let all = labels + expressions
        return all.isEmpty ? "<everything>" : all.joined(separator: ",")
    }
}
