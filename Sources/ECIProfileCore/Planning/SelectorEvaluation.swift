/// How one selector fared against a pod, for the CLI's `--explain`.
public struct SelectorEvaluation: Sendable, Equatable {
    public var selector: ProfileSelector
    /// Whether the namespace selector matched; nil when the selector has none.
    public var namespaceMatches: Bool?
    /// Whether the object selector matched; nil when the selector has none.
    public var objectMatches: Bool?

    /// Whether this selector, by itself, sends the pod to virtual nodes.
    public var sends: Bool {
        !selector.isEffectOnly && namespaceMatches != false && objectMatches != false
    }
}

extension MutationPlanner {
    /// Every selector of the profile, in order, with the outcome of each of its label selectors.
    public func evaluate(podLabels: StringMap, namespaceLabels: [String: String]) -> [SelectorEvaluation] {
        profile.selectors.map {
            SelectorEvaluation(selector: $0, namespaceMatches: $0.namespaceSelector?.matches(namespaceLabels),
                               objectMatches: $0.objectSelector?.matches(podLabels))
        }
    }
}
