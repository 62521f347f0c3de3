/// The parts of every patch that depend only on the profile, built once when a planner is made:
/// JSON values for the tolerations and the affinity term, and the escaped paths of the map
/// entries a patch may add. Planning a pod then copies these (a retain each) instead of
/// rebuilding them per request.
struct PreparedProfile: Sendable {
    /// One entry a patch may add to a map, with its path for when the map exists.
    struct Member: Sendable {
        let entry: KeyValue
        let path: JSONPointer

        init(_ entry: KeyValue, in map: JSONPointer) {
            self.entry = entry
            path = map.appending(entry.key)
        }
    }

    /// A profile selector with its effect entries prepared.
    struct Selector: Sendable {
        let selector: ProfileSelector
        let annotations: [Member]
        let labels: [Member]
    }

    /// A wanted toleration with the JSON object a patch adds for it.
    struct PreparedToleration: Sendable {
        let toleration: Toleration
        let jsonValue: JSONValue
    }

    /// The preferred node-affinity term against virtual nodes, and the objects that carry it
    /// when the pod lacks their parents.
    struct AvoidingAffinity: Sendable {
        /// The weight-100 term itself.
        let term: JSONValue
        /// `[term]`: the value of `preferredDuringSchedulingIgnoredDuringExecution`.
        let preferredTerms: JSONValue
        /// `{"preferredDuringSchedulingIgnoredDuringExecution": [term]}`.
        let nodeAffinity: JSONValue
        /// `{"nodeAffinity": {...}}`.
        let affinity: JSONValue

        /// The term for `virtualNodeSelector`; nil when it is empty (nothing to avoid).
        init?(avoiding virtualNodeSelector: [KeyValue]) {
            guard !virtualNodeSelector.isEmpty else { return nil }
            let expressions = virtualNodeSelector.map {
                JSONValue.object([JSONMember("key", .string($0.key)), JSONMember("operator", .string("NotIn")),
                                  JSONMember("values", .array([.string($0.value)]))])
            }
            term = .object([JSONMember("weight", .number("100")),
                            JSONMember("preference", .object([JSONMember("matchExpressions", .array(expressions))]))])
            preferredTerms = .array([term])
            nodeAffinity = .object([JSONMember(PatchBuilder.preferredTermsKey, preferredTerms)])
            affinity = .object([JSONMember("nodeAffinity", nodeAffinity)])
        }
    }

    let selectors: [Selector]
    let nodeSelector: [Member]
    let tolerations: [PreparedToleration]
    let avoidingAffinity: AvoidingAffinity?
    let compatibilityChecks: [CompatibilityCheck]

    init(_ profile: Profile) {
        selectors = profile.selectors.map { selector in
            Selector(selector: selector,
                     annotations: selector.effect.annotations.map { Member($0, in: PatchBuilder.annotationsPath) },
                     labels: selector.effect.labels.map { Member($0, in: PatchBuilder.labelsPath) })
        }
        nodeSelector = profile.virtualNodeSelector.map { Member($0, in: PatchBuilder.nodeSelectorPath) }
        tolerations = profile.virtualNodeTolerations.map { PreparedToleration(toleration: $0, jsonValue: $0.jsonValue) }
        avoidingAffinity = AvoidingAffinity(avoiding: profile.virtualNodeSelector)
        compatibilityChecks = profile.compatibilityChecks
    }
}
