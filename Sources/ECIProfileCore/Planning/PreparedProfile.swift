/// What planning needs from a profile, built once when a planner is made: the selectors as
/// matching reads them, and every piece a patch may hold already written as JSON text. A request
/// then chooses among the pieces by what its pod has and copies their bytes.
///
/// Maintainers' note: with each patch built per request as `JSONValue`s and then written out,
/// planning and encoding the bench review cost 36k instructions under callgrind; from these pieces,
/// 17k. The pieces are classes: planning copied the structs they were (a retain per member) on
/// every look.
final class PreparedProfile: Sendable {
    /// A map or array a patch may add to. When the pod lacks it, one operation creates it with
    /// every entry the patch adds; when the pod has it, each entry gets an operation of its own.
    struct Container: Sendable {
        let kind: Kind
        /// The operation creating the container, up to its first entry:
        /// `{"op":"add","path":"/spec/tolerations","value":[`.
        let opening: [UInt8]
        /// The bracket closing the container, `]` or `}`; a `}` then closes the operation.
        let closingBracket: UInt8
        let path: JSONPointer

        enum Kind: Sendable {
            case nodeSelector, tolerations, annotations, labels
        }

        fileprivate init(_ kind: Kind, path: JSONPointer, isArray: Bool) {
            self.kind = kind
            self.path = path
            var writer = JSONWriter(capacity: 64)
            JSONPatchOperation.writeHead(path, to: &writer)
            writer.writeRaw(isArray ? "[" : "{")
            opening = writer.bytes
            closingBracket = isArray ? UInt8(ascii: "]") : UInt8(ascii: "}")
        }
    }

    /// One entry a patch may add to a container, as JSON text both ways: inside the operation
    /// creating the container (`"key":"value"`, or a toleration's object), and as an operation of
    /// its own (`{"op":"add","path":"/metadata/labels/key","value":"value"}`). A class, as
    /// `Selector`: handed to `PatchText` as a struct, each entry cost a retain and a release per
    /// text (callgrind, `serve`, bench review: `plan` 9.0k -> 8.8k instructions per request).
    final class Entry: Sendable {
        let inCreated: [UInt8]
        let operation: [UInt8]

        init(inCreated: [UInt8], operation: [UInt8]) {
            self.inCreated = inCreated
            self.operation = operation
        }
    }

    /// One map entry a patch may add (nodeSelector, annotations, labels). A class, as `Selector`.
    final class Member: Sendable {
        let key: String
        let value: String
        let text: Entry

        fileprivate init(_ entry: KeyValue, in map: Container) {
            key = entry.key
            value = entry.value
            var member = JSONWriter(capacity: 64)
            member.write(string: entry.key)
            member.writeRaw(":")
            member.write(string: entry.value)
            text = Entry(inCreated: member.bytes,
                         operation: JSONPatchOperation.add(map.path.appending(entry.key), .string(entry.value)).jsonBytes)
        }
    }

    /// A wanted toleration and its text.
    final class PreparedToleration: Sendable {
        let toleration: Toleration
        let text: Entry

        fileprivate init(_ toleration: Toleration, operationPath: JSONPointer) {
            self.toleration = toleration
            text = Entry(inCreated: toleration.jsonValue.jsonBytes,
                         operation: JSONPatchOperation.add(operationPath, toleration.jsonValue).jsonBytes)
        }
    }

    /// A profile selector as planning reads it, with its effect entries prepared.
    final class Selector: Sendable {
        let name: String
        let policy: SchedulingPolicy
        let mode: SelectorMode
        /// Whether a match sends the pod (an enforced selector with a namespace or object selector).
        let sends: Bool
        let namespaceSelector: LabelSelector?
        let objectSelector: LabelSelector?
        let annotations: [Member]
        let labels: [Member]
        /// The response's annotations when this selector decides (see `MutationDecision.auditAnnotations`).
        let decidingAnnotations: [KeyValue]
        /// `MutationDecision.matchedSelectors` when this is the only sending selector that matches:
        /// its name and the effect-only ones', in profile order. Made per request, that array cost
        /// an allocation and a retain per name (callgrind, `serve`, bench review: 79.4k -> 78.8k
        /// instructions per request, most of it in freeing the outcome). Nil for a selector that does
        /// not send, and when the profile has more than `matchedAloneLimit` effect-only selectors:
        /// every sending selector holds the effect-only names, so a profile of thousands of each
        /// would otherwise hold millions of them.
        let matchedAlone: [String]?

        /// The most effect-only selectors `matchedAlone` is prepared with.
        static let matchedAloneLimit = 16

        /// `effectOnly`: the positions of the profile's enforced effect-only selectors, in order.
        fileprivate init(_ selector: ProfileSelector, at position: Int, in profile: Profile, effectOnly: [Int]) {
            name = selector.name
            policy = selector.policy
            mode = selector.mode
            let sends = selector.mode == .enforce && !selector.isEffectOnly
            self.sends = sends
            namespaceSelector = selector.namespaceSelector
            objectSelector = selector.objectSelector
            annotations = selector.effect.annotations.map { Member($0, in: PreparedProfile.annotationsMap) }
            labels = selector.effect.labels.map { Member($0, in: PreparedProfile.labelsMap) }
            decidingAnnotations = MutationDecision.decidingAnnotations(selector: name, policy: policy)
            matchedAlone = !sends || effectOnly.count > Self.matchedAloneLimit
                ? nil : (effectOnly + [position]).sorted().map { profile.selectors[$0].name }
        }

        /// Whether the namespace's and the pod's labels satisfy both selectors that are present.
        func matches(namespaceLabels: NamespaceLabelLookup, podLabels: StringMap) -> Bool {
            (namespaceSelector?.matches(namespaceLabels) ?? true) && (objectSelector?.matches(podLabels) ?? true)
        }
    }

    /// The preferred node-affinity term against virtual nodes, and the operation adding it for each
    /// part of the affinity the pod may lack.
    struct AvoidingAffinity: Sendable {
        /// The weight-100 term itself, to compare with the pod's terms.
        let term: JSONValue
        /// `{"op":"add","path":"/spec/affinity","value":{"nodeAffinity":{…:[term]}}}`.
        let addingAffinity: [UInt8]
        /// The same operation at `/spec/affinity/nodeAffinity`.
        let addingNodeAffinity: [UInt8]
        /// The same at `…/nodeAffinity/preferredDuringSchedulingIgnoredDuringExecution`: `[term]`.
        let addingPreferredTerms: [UInt8]
        /// The term appended to the pod's preferred terms.
        let appendingTerm: [UInt8]

        static let preferredTermsKey = "preferredDuringSchedulingIgnoredDuringExecution"

        /// The term for `virtualNodeSelector`; nil when it is empty (nothing to avoid).
        init?(avoiding virtualNodeSelector: [KeyValue]) {
            guard !virtualNodeSelector.isEmpty else { return nil }
            let expressions = virtualNodeSelector.map {
                JSONValue.object([JSONMember("key", .string($0.key)), JSONMember("operator", .string("NotIn")),
                                  JSONMember("values", .array([.string($0.value)]))])
            }
            term = .object([JSONMember("weight", .number("100")),
                            JSONMember("preference", .object([JSONMember("matchExpressions", .array(expressions))]))])
            let preferredTerms = JSONValue.array([term])
            let nodeAffinity = JSONValue.object([JSONMember(Self.preferredTermsKey, preferredTerms)])
            let affinityPath = JSONPointer(["spec", "affinity"])
            let preferredTermsPath = affinityPath.appending("nodeAffinity").appending(Self.preferredTermsKey)
            addingAffinity = JSONPatchOperation.add(affinityPath, .object([JSONMember("nodeAffinity", nodeAffinity)])).jsonBytes
            addingNodeAffinity = JSONPatchOperation.add(affinityPath.appending("nodeAffinity"), nodeAffinity).jsonBytes
            addingPreferredTerms = JSONPatchOperation.add(preferredTermsPath, preferredTerms).jsonBytes
            appendingTerm = JSONPatchOperation.add(preferredTermsPath.appending("-"), term).jsonBytes
        }
    }

    let profile: Profile
    let selectors: [Selector]
    static let nodeSelectorMap = Container(.nodeSelector, path: JSONPointer(["spec", "nodeSelector"]), isArray: false)
    static let tolerationsArray = Container(.tolerations, path: JSONPointer(["spec", "tolerations"]), isArray: true)
    static let annotationsMap = Container(.annotations, path: JSONPointer(["metadata", "annotations"]), isArray: false)
    static let labelsMap = Container(.labels, path: JSONPointer(["metadata", "labels"]), isArray: false)
    let nodeSelector: [Member]
    /// The profile's tolerations, less those an earlier one covers.
    let tolerations: [PreparedToleration]
    let avoidingAffinity: AvoidingAffinity?
    /// The bytes reserved for a patch: the longest patch this profile can make, up to 4 KiB.
    let patchCapacity: Int

    init(_ profile: Profile) {
        self.profile = profile
        let effectOnly = profile.selectors.indices.filter { profile.selectors[$0].mode == .enforce && profile.selectors[$0].isEffectOnly }
        selectors = profile.selectors.indices.map { Selector(profile.selectors[$0], at: $0, in: profile, effectOnly: effectOnly) }
        nodeSelector = profile.virtualNodeSelector.map { Member($0, in: Self.nodeSelectorMap) }
        let appendTolerationPath = Self.tolerationsArray.path.appending("-")
        // A wanted toleration that an earlier one covers is never added: either the earlier one is
        // added and covers it, or one of the pod's covers the earlier one and so, covering being
        // transitive (see TolerationTests), covers it too.
        let wanted = profile.virtualNodeTolerations
        tolerations = wanted.indices.filter { index in !wanted[..<index].contains { $0.covers(wanted[index]) } }
            .map { PreparedToleration(wanted[$0], operationPath: appendTolerationPath) }
        avoidingAffinity = AvoidingAffinity(avoiding: profile.virtualNodeSelector)
        let entries = nodeSelector.map(\.text) + tolerations.map(\.text) + selectors.flatMap { ($0.annotations + $0.labels).map(\.text) }
        let containers = [Self.nodeSelectorMap, Self.tolerationsArray, Self.annotationsMap, Self.labelsMap].reduce(0) { $0 + $1.opening.count + 2 }
        // An entry's own operation is longer than its text inside a creating one.
        let longest = entries.reduce(containers + (avoidingAffinity?.addingAffinity.count ?? 0) + 2) { $0 + $1.operation.count + 1 }
        patchCapacity = min(longest, 4096)
    }
}
