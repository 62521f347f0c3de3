/// Plans the JSON Patch operations for one pod, directly from what the pod has and what is
/// wanted: absent maps and arrays are added whole, present ones member by member, and nothing
/// the pod already has is replaced. The operations are written as text from the profile's
/// prepared pieces.
struct PatchBuilder {
    private var text: PatchText
    private(set) var warnings: [String] = []

    init(capacity: Int) {
        text = PatchText(capacity: capacity)
    }

    /// The patch's JSON text; empty when nothing is added.
    mutating func finish() -> [UInt8] {
        text.finish()
    }

    mutating func addNodeSelector(_ wanted: [PreparedProfile.Member], to pod: PodSnapshot, selector: String) {
        if let existing = pod.nodeSelector {
            for member in wanted {
                if let value = existing[member.key], value != member.value {
                    warnings.append("spec.nodeSelector[\(member.key)] is \"\(value)\", not \"\(member.value)\" as selector \"\(selector)\" wants; kept the pod's value")
                }
            }
        }
        addMembers(wanted, to: PreparedProfile.nodeSelectorMap, existingKeys: pod.nodeSelector)
    }

    /// Adds the wanted tolerations that none of the pod's covers. `wanted` holds none that an
    /// earlier one covers (see `PreparedProfile.tolerations`).
    mutating func addTolerations(_ wanted: [PreparedProfile.PreparedToleration], to pod: PodSnapshot) {
        let existing = pod.tolerations ?? []
        for candidate in wanted {
            // The wanted toleration read once, not per existing one (each read copied it: callgrind,
            // planning-benchmark, bench review: `addTolerations` 1.3k -> 1.0k instructions per review).
            let toleration = candidate.toleration
            if !existing.contains(where: { $0.covers(toleration) }) {
                text.add(candidate.text, to: PreparedProfile.tolerationsArray, creating: pod.tolerations == nil)
            }
        }
    }

    /// Adds the weight-100 preferred term steering the pod away from virtual nodes, unless the
    /// pod already has that very term.
    mutating func addAvoidingAffinity(_ wanted: PreparedProfile.AvoidingAffinity, to pod: PodSnapshot) {
        guard let affinity = pod.affinity else { return text.add(operation: wanted.addingAffinity) }
        guard affinity.hasNodeAffinity else { return text.add(operation: wanted.addingNodeAffinity) }
        guard let terms = affinity.preferredTerms else { return text.add(operation: wanted.addingPreferredTerms) }
        if !terms.contains(wanted.term) {
            text.add(operation: wanted.appendingTerm)
        }
    }

    mutating func addAnnotations(_ wanted: some Sequence<PreparedProfile.Member>, to pod: PodSnapshot) {
        addMembers(wanted, to: PreparedProfile.annotationsMap, existingKeys: pod.annotationKeys)
    }

    mutating func addLabels(_ wanted: some Sequence<PreparedProfile.Member>, to pod: PodSnapshot) {
        addMembers(wanted, to: PreparedProfile.labelsMap, existingKeys: pod.labels)
    }

    /// Adds the entries of `wanted` whose keys are in neither `existingKeys` (nil: the map is
    /// absent) nor an earlier entry. Earlier entries are looked up again rather than collected:
    /// there are few, and collecting them cost an allocation per map.
    private mutating func addMembers(_ wanted: some Sequence<PreparedProfile.Member>, to map: PreparedProfile.Container,
                                     existingKeys: (some KeyLookup)?) {
        for (position, member) in wanted.enumerated() {
            guard existingKeys?.containsKey(member.key) != true,
                  !wanted.prefix(position).contains(where: { $0.key.equalsComparingLengthFirst(member.key) }) else { continue }
            text.add(member.text, to: map, creating: existingKeys == nil)
        }
    }
}

/// A pod's map as the builder asks it: whether it has a key. Labels and the nodeSelector are
/// `StringMap`s, found by their own lookup (callgrind: 600 instructions of the bench review
/// through a sequence of their keys); annotations are kept as a set of keys.
protocol KeyLookup {
    func containsKey(_ key: String) -> Bool
}

extension StringMap: KeyLookup {
    func containsKey(_ key: String) -> Bool { self[key] != nil }
}

extension Set<String>: KeyLookup {
    func containsKey(_ key: String) -> Bool { contains(key) }
}
