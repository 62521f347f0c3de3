/// Decides what to add to a pod (SPEC §2): pure, no I/O, one call per admission request.
public struct MutationPlanner: Sendable {
    public var profile: Profile
    /// Namespaces whose pods are never touched.
    public var excludedNamespaces: Set<String>

    public init(profile: Profile, excludedNamespaces: Set<String> = ["kube-system"]) {
        self.profile = profile
        self.excludedNamespaces = excludedNamespaces
    }

    /// Whether a request needs the pod and the namespace's labels at all.
    public func needsPod(_ attributes: AdmissionAttributes) -> MutationDecision.SkipReason? {
        if !attributes.isPodCreation { return .notPodCreation }
        if excludedNamespaces.contains(attributes.namespace) { return .excludedNamespace }
        return nil
    }

    /// Plans the mutation of `pod`, created in a namespace labelled `namespaceLabels`.
    public func plan(_ attributes: AdmissionAttributes, pod: PodSnapshot, namespaceLabels: [String: String]) -> MutationDecision {
        if let reason = needsPod(attributes) { return MutationDecision(outcome: .skipped(reason)) }
        let podLabels = pod.labels ?? [:]
        guard let decider = profile.selectors.first(where: {
            !$0.isEffectOnly && $0.matches(namespaceLabels: namespaceLabels, podLabels: podLabels)
        }) else {
            return MutationDecision(outcome: .unmatched)
        }
        let matched = profile.selectors.filter {
            $0.isEffectOnly || $0.matches(namespaceLabels: namespaceLabels, podLabels: podLabels)
        }
        var builder = PatchBuilder(pod: pod)
        if pod.nodeName?.isEmpty ?? true {
            if decider.policy == .virtualNodeOnly {
                builder.addNodeSelector(profile.virtualNodeSelector, selector: decider.name)
            }
            builder.addTolerations(profile.virtualNodeTolerations)
            if decider.policy == .normalNodePrefer {
                builder.addAvoidingAffinity(profile.virtualNodeSelector)
            }
        }
        builder.addAnnotations(matched.flatMap(\.effect.annotations))
        builder.addLabels(matched.flatMap(\.effect.labels))
        return MutationDecision(outcome: .matched, matchedSelectors: matched.map(\.name), decidingSelector: decider.name,
                                policy: decider.policy, patch: builder.operations, warnings: builder.warnings)
    }
}
