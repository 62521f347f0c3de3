/// Plans the JSON Patch operations for one pod, directly from what the pod has and what is
/// wanted: absent maps and arrays are added whole, present ones member by member, and nothing
/// the pod already has is replaced.
struct PatchBuilder {
    static let nodeSelectorPath = JSONPointer(["spec", "nodeSelector"])
    static let tolerationsPath = JSONPointer(["spec", "tolerations"])
    static let appendTolerationPath = tolerationsPath.appending("-")
    static let affinityPath = JSONPointer(["spec", "affinity"])
    static let nodeAffinityPath = affinityPath.appending("nodeAffinity")
    static let preferredTermsKey = "preferredDuringSchedulingIgnoredDuringExecution"
    static let preferredTermsPath = nodeAffinityPath.appending(preferredTermsKey)
    static let appendPreferredTermPath = preferredTermsPath.appending("-")
    static let annotationsPath = JSONPointer(["metadata", "annotations"])
    static let labelsPath = JSONPointer(["metadata", "labels"])

    let pod: PodSnapshot
    private(set) var operations: [JSONPatchOperation] = []
    private(set) var warnings: [String] = []

    init(pod: PodSnapshot) {
        self.pod = pod
    }

    mutating func addNodeSelector(_ wanted: [PreparedProfile.Member], selector: String) {
        if let existing = pod.nodeSelector {
            for member in wanted {
                let entry = member.entry
                if let value = existing[entry.key], value != entry.value {
                    warnings.append("spec.nodeSelector[\(entry.key)] is \"\(value)\", not \"\(entry.value)\" as selector \"\(selector)\" wants; kept the pod's value")
                }
            }
        }
        addMembers(wanted, to: Self.nodeSelectorPath, existingKeys: pod.nodeSelector?.keys)
    }

    mutating func addTolerations(_ wanted: [PreparedProfile.PreparedToleration]) {
        let existing = pod.tolerations ?? []
        var missing: [PreparedProfile.PreparedToleration] = []
        for candidate in wanted {
            let toleration = candidate.toleration
            guard !existing.contains(where: { $0.covers(toleration) }),
                  !missing.contains(where: { $0.toleration.covers(toleration) }) else { continue }
            missing.append(candidate)
        }
        guard !missing.isEmpty else { return }
        if pod.tolerations == nil {
            operations.append(.add(Self.tolerationsPath, .array(missing.map(\.jsonValue))))
        } else {
            operations += missing.map { .add(Self.appendTolerationPath, $0.jsonValue) }
        }
    }

    /// Adds the weight-100 preferred term steering the pod away from virtual nodes, unless the
    /// pod already has that very term.
    mutating func addAvoidingAffinity(_ wanted: PreparedProfile.AvoidingAffinity) {
        guard let affinity = pod.affinity else {
            operations.append(.add(Self.affinityPath, wanted.affinity))
            return
        }
        guard affinity.hasNodeAffinity else {
            operations.append(.add(Self.nodeAffinityPath, wanted.nodeAffinity))
            return
        }
        guard let terms = affinity.preferredTerms else {
            operations.append(.add(Self.preferredTermsPath, wanted.preferredTerms))
            return
        }
        if !terms.contains(wanted.term) {
            operations.append(.add(Self.appendPreferredTermPath, wanted.term))
        }
    }

    mutating func addAnnotations(_ wanted: some Sequence<PreparedProfile.Member>) {
        addMembers(wanted, to: Self.annotationsPath, existingKeys: pod.annotationKeys)
    }

    mutating func addLabels(_ wanted: some Sequence<PreparedProfile.Member>) {
        addMembers(wanted, to: Self.labelsPath, existingKeys: pod.labels?.keys)
    }

    /// Adds the entries of `wanted` whose keys are in neither `existingKeys` (nil: the map is
    /// absent) nor an earlier entry.
    private mutating func addMembers(_ wanted: some Sequence<PreparedProfile.Member>, to path: JSONPointer,
                                     existingKeys: (some Sequence<String>)?) {
        var missing: [PreparedProfile.Member] = []
        for member in wanted {
            let key = member.entry.key
            guard existingKeys?.contains(key) != true, !missing.contains(where: { $0.entry.key == key }) else { continue }
            missing.append(member)
        }
        guard !missing.isEmpty else { return }
        if existingKeys == nil {
            operations.append(.add(path, .object(missing.map { JSONMember($0.entry.key, .string($0.entry.value)) })))
        } else {
            operations += missing.map { .add($0.path, .string($0.entry.value)) }
        }
    }
}
