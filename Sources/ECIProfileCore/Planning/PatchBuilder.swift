/// Plans the JSON Patch operations for one pod, directly from what the pod has and what is
/// wanted: absent maps and arrays are added whole, present ones member by member, and nothing
/// the pod already has is replaced.
struct PatchBuilder {
    let pod: PodSnapshot
    private(set) var operations: [JSONPatchOperation] = []
    private(set) var warnings: [String] = []

    init(pod: PodSnapshot) {
        self.pod = pod
    }

    mutating func addNodeSelector(_ wanted: [KeyValue], selector: String) {
        let existing = pod.nodeSelector ?? [:]
        for entry in wanted {
            if let value = existing[entry.key], value != entry.value {
                warnings.append("spec.nodeSelector[\(entry.key)] is \"\(value)\", not \"\(entry.value)\" as selector \"\(selector)\" wants; kept the pod's value")
            }
        }
        addMembers(wanted, to: JSONPointer(["spec", "nodeSelector"]), existingKeys: pod.nodeSelector.map { Set($0.keys) })
    }

    mutating func addTolerations(_ wanted: [Toleration]) {
        let existing = pod.tolerations ?? []
        var missing: [Toleration] = []
        for toleration in wanted where !(existing + missing).contains(where: { $0.covers(toleration) }) {
            missing.append(toleration)
        }
        guard !missing.isEmpty else { return }
        let path = JSONPointer(["spec", "tolerations"])
        if pod.tolerations == nil {
            operations.append(.add(path, .array(missing.map(\.jsonValue))))
        } else {
            operations += missing.map { .add(path.appending("-"), $0.jsonValue) }
        }
    }

    /// Adds a weight-100 preferred term steering the pod away from nodes carrying the
    /// virtual-node labels, unless the pod already has that very term.
    mutating func addAvoidingAffinity(_ virtualNodeSelector: [KeyValue]) {
        guard !virtualNodeSelector.isEmpty else { return }
        let expressions = virtualNodeSelector.map {
            JSONValue.object([JSONMember("key", .string($0.key)), JSONMember("operator", .string("NotIn")),
                              JSONMember("values", .array([.string($0.value)]))])
        }
        let term = JSONValue.object([JSONMember("weight", .number("100")),
                                     JSONMember("preference", .object([JSONMember("matchExpressions", .array(expressions))]))])
        let preferredKey = "preferredDuringSchedulingIgnoredDuringExecution"
        let affinityPath = JSONPointer(["spec", "affinity"])
        guard let affinity = pod.affinity else {
            operations.append(.add(affinityPath, .object([JSONMember("nodeAffinity", .object([JSONMember(preferredKey, .array([term]))]))])))
            return
        }
        let nodeAffinityPath = affinityPath.appending("nodeAffinity")
        guard affinity.hasNodeAffinity else {
            operations.append(.add(nodeAffinityPath, .object([JSONMember(preferredKey, .array([term]))])))
            return
        }
        guard let terms = affinity.preferredTerms else {
            operations.append(.add(nodeAffinityPath.appending(preferredKey), .array([term])))
            return
        }
        if !terms.contains(term) {
            operations.append(.add(nodeAffinityPath.appending(preferredKey).appending("-"), term))
        }
    }

    mutating func addAnnotations(_ wanted: [KeyValue]) {
        addMembers(wanted, to: JSONPointer(["metadata", "annotations"]), existingKeys: pod.annotationKeys)
    }

    mutating func addLabels(_ wanted: [KeyValue]) {
        addMembers(wanted, to: JSONPointer(["metadata", "labels"]), existingKeys: pod.labels.map { Set($0.keys) })
    }

    /// Adds the entries of `wanted` whose keys are in neither `existingKeys` (nil: the map is
    /// absent) nor an earlier entry.
    private mutating func addMembers(_ wanted: [KeyValue], to path: JSONPointer, existingKeys: Set<String>?) {
        guard !wanted.isEmpty else { return }
        var seen = existingKeys ?? []
        let missing = wanted.filter { seen.insert($0.key).inserted }
        guard !missing.isEmpty else { return }
        if existingKeys == nil {
            operations.append(.add(path, .object(missing)))
        } else {
            operations += missing.map { .add(path.appending($0.key), .string($0.value)) }
        }
    }
}
