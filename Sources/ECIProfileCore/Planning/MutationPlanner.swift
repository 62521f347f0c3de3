/// Decides what to add to a pod (SPEC §2): pure, no I/O, one call per admission request.
public struct MutationPlanner: Sendable {
    public let profile: Profile
    /// Namespaces whose pods are never touched.
    public let excludedNamespaces: Set<String>
    /// What the profile contributes to every patch, built once here rather than per request.
    private let prepared: PreparedProfile

    public init(profile: Profile, excludedNamespaces: Set<String> = ["kube-system"]) {
        self.profile = profile
        self.excludedNamespaces = excludedNamespaces
        prepared = PreparedProfile(profile)
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
        let selectors = prepared.selectors
        var decider: ProfileSelector?
        // Indices into `selectors`: copying a selector would retain each of its members.
        var matched: [Int] = []
        var audited: [String] = []
        for index in selectors.indices {
            if selectors[index].selector.mode == .audit {
                if selectors[index].selector.matches(namespaceLabels: namespaceLabels, podLabels: podLabels) {
                    audited.append(selectors[index].selector.name)
                }
                continue
            }
            if !selectors[index].selector.isEffectOnly {
                guard selectors[index].selector.matches(namespaceLabels: namespaceLabels, podLabels: podLabels) else { continue }
                if decider == nil { decider = selectors[index].selector }
            }
            matched.append(index)
        }
        guard let decider else { return MutationDecision(outcome: .unmatched, auditSelectors: audited) }
        let matchedNames = matched.map { selectors[$0].selector.name }
        // Checked only now: pods that no selector sends are never checked (SPEC §2.10). A pod
        // that fails gets nothing, not even effects or tolerations.
        let failures = prepared.compatibilityChecks.compactMap { $0.failure(of: pod) }
        if !failures.isEmpty {
            return MutationDecision(outcome: .incompatible, matchedSelectors: matchedNames, decidingSelector: decider.name,
                                    policy: decider.policy, warnings: failures.map(\.warning), incompatibilities: failures,
                                    auditSelectors: audited)
        }
        var builder = PatchBuilder(pod: pod)
        if pod.nodeName?.isEmpty ?? true {
            if decider.policy == .virtualNodeOnly {
                builder.addNodeSelector(prepared.nodeSelector, selector: decider.name)
            }
            builder.addTolerations(prepared.tolerations)
            if decider.policy == .normalNodePrefer, let avoidingAffinity = prepared.avoidingAffinity {
                builder.addAvoidingAffinity(avoidingAffinity)
            }
        }
        builder.addAnnotations(matched.lazy.flatMap { selectors[$0].annotations })
        builder.addLabels(matched.lazy.flatMap { selectors[$0].labels })
        return MutationDecision(outcome: .matched, matchedSelectors: matchedNames, decidingSelector: decider.name,
                                policy: decider.policy, patch: builder.operations, warnings: builder.warnings,
                                auditSelectors: audited)
    }
}
