/// Decides what to add to a pod (SPEC §2): pure, no I/O, one call per admission request.
public struct MutationPlanner: Sendable {
    public var profile: Profile { prepared.profile }
    /// Namespaces whose pods are never touched.
    public let excludedNamespaces: Set<String>
    /// `excludedNamespaces` as a list when it is short (it usually holds one name): comparing a few
    /// names costs less than hashing the namespace, which every request did twice (callgrind: 375
    /// instructions each).
    private let shortExcludedList: [String]?
    /// The profile as planning reads it, built once here rather than per request.
    private let prepared: PreparedProfile

    public init(profile: Profile, excludedNamespaces: Set<String> = ["kube-system"]) {
        self.excludedNamespaces = excludedNamespaces
        shortExcludedList = excludedNamespaces.count <= 4 ? Array(excludedNamespaces) : nil
        prepared = PreparedProfile(profile)
    }

    /// Whether a request needs the pod and the namespace's labels at all.
    public func needsPod(_ attributes: AdmissionAttributes) -> MutationDecision.SkipReason? {
        if !attributes.isPodCreation { return .notPodCreation }
        if shortExcludedList?.contains(attributes.namespace) ?? excludedNamespaces.contains(attributes.namespace) {
            return .excludedNamespace
        }
        return nil
    }

    /// Plans the mutation of `pod`, created in a namespace labelled `namespaceLabels`.
    public func plan(_ attributes: AdmissionAttributes, pod: PodSnapshot, namespaceLabels: [String: String]) -> MutationDecision {
        if let reason = needsPod(attributes) { return MutationDecision(outcome: .skipped(reason)) }
        return plan(neededPod: pod, namespaceLabels: namespaceLabels)
    }

    /// Plans the mutation of `pod` for a request that `needsPod` found needs it. For callers that
    /// asked `needsPod` already: asking again cost 110 instructions per admission request (callgrind).
    public func plan(neededPod pod: PodSnapshot, namespaceLabels: [String: String]) -> MutationDecision {
        // The matched selectors' positions live on the stack: an array of them cost an allocation
        // per request (callgrind, `serve`, bench review: 430 instructions for making and freeing it).
        withUnsafeTemporaryAllocation(of: Int.self, capacity: prepared.selectors.count) { matched in
            plan(neededPod: pod, namespaceLabels: NamespaceLabelLookup(labels: namespaceLabels), matched: matched)
        }
    }

    /// Plans with `matched` as room for the positions of the matched selectors.
    private func plan(neededPod pod: PodSnapshot, namespaceLabels: NamespaceLabelLookup,
                      matched matchedRoom: UnsafeMutableBufferPointer<Int>) -> MutationDecision {
        let podLabels = pod.labels ?? [:]
        let selectors = prepared.selectors
        var decider: PreparedProfile.Selector?
        var matchedCount = 0, sendingCount = 0
        var audited: [String] = []
        for (index, selector) in selectors.enumerated() {
            if selector.mode == .audit {
                if selector.matches(namespaceLabels: namespaceLabels, podLabels: podLabels) { audited.append(selector.name) }
                continue
            }
            if selector.sends {
                guard selector.matches(namespaceLabels: namespaceLabels, podLabels: podLabels) else { continue }
                if decider == nil { decider = selector }
                sendingCount += 1
            }
            matchedRoom[matchedCount] = index
            matchedCount += 1
        }
        guard let decider else {
            return MutationDecision(outcome: .unmatched, auditSelectors: audited)
        }
        let matched = UnsafeBufferPointer(rebasing: matchedRoom[..<matchedCount])
        let matchedNames = (sendingCount == 1 ? decider.matchedAlone : nil) ?? matched.map { selectors[$0].name }
        // Checked only now: pods that no selector sends are never checked (SPEC §2.10). A pod
        // that fails gets nothing, not even effects or tolerations.
        let failures = prepared.profile.compatibilityChecks.compactMap { $0.failure(of: pod) }
        if !failures.isEmpty {
            return MutationDecision(outcome: .incompatible, matchedSelectors: matchedNames, deciding: decider.decidingAnnotations,
                                    decidingSelector: decider.name, policy: decider.policy, warnings: failures.map(\.warning),
                                    incompatibilities: failures, auditSelectors: audited)
        }
        var builder = PatchBuilder(capacity: prepared.patchCapacity)
        if pod.nodeName?.isEmpty ?? true {
            if decider.policy == .virtualNodeOnly {
                builder.addNodeSelector(prepared.nodeSelector, to: pod, selector: decider.name)
            }
            builder.addTolerations(prepared.tolerations, to: pod)
            if decider.policy == .normalNodePrefer, let avoidingAffinity = prepared.avoidingAffinity {
                builder.addAvoidingAffinity(avoidingAffinity, to: pod)
            }
        }
        builder.addAnnotations(matched.lazy.flatMap { selectors[$0].annotations }, to: pod)
        builder.addLabels(matched.lazy.flatMap { selectors[$0].labels }, to: pod)
        return MutationDecision(outcome: .matched, matchedSelectors: matchedNames, deciding: decider.decidingAnnotations,
                                decidingSelector: decider.name, policy: decider.policy, patchJSON: builder.finish(),
                                warnings: builder.warnings, auditSelectors: audited)
    }
}
