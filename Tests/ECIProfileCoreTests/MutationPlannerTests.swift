import ECIProfileCore
import Testing

@Suite("Mutation planning on fixture reviews")
struct MutationPlannerTests {
    let planner: MutationPlanner

    init() throws {
        planner = MutationPlanner(profile: try Fixtures.profile())
    }

    private func plan(_ review: ReviewFixture, profile overrides: JSONValue? = nil) throws -> MutationDecision {
        let planner = overrides == nil ? planner : MutationPlanner(profile: try Fixtures.profile(overrides: overrides))
        return planner.plan(review.attributes, pod: review.pod, namespaceLabels: try Fixtures.namespaceLabels(review.attributes.namespace))
    }

    @Test("the whole patch, the deciding selector and the warnings match the hand-written expectation",
          arguments: Fixtures.caseNames)
    func matchesExpectation(caseName: String) throws {
        let testCase = try Fixtures.json("cases/\(caseName).json")
        let expected = try #require(testCase["expected"])
        let review = try ReviewFixture(try Fixtures.json(try #require(testCase["review"]?.stringValue)))
        let decision = try plan(review, profile: testCase["profile"])

        #expect(JSONValue.array(decision.patch.map(\.jsonValue)) == expected["patch"])
        if let annotations = expected["auditAnnotations"] {
            #expect(JSONValue.object(decision.auditAnnotations) == annotations)
        }
        if decision.outcome == .incompatible {
            #expect(decision.incompatibilities.map(\.check.rawValue).joined(separator: ",") == expected["auditAnnotations"]?["incompatible"]?.stringValue)
        }
        #expect(decision.decidingSelector == expected["selector"]?.stringValue)
        #expect(decision.policy?.rawValue == expected["policy"]?.stringValue)
        #expect(JSONValue.array(decision.warnings.map(JSONValue.string)) == expected["warnings"])
        if case .array(let matched)? = expected["matched"] {
            #expect(decision.matchedSelectors == matched.compactMap(\.stringValue))
        }
        switch (decision.outcome, expected["outcome"]?.stringValue) {
        case (.matched, "matched"), (.unmatched, "unmatched"), (.skipped, "skipped"), (.incompatible, "incompatible"): break
        default: Issue.record("outcome \(decision.outcome) is not \(String(describing: expected["outcome"]))")
        }
    }

    @Test("planning again on the patched pod gives an empty patch", arguments: Fixtures.caseNames)
    func idempotent(caseName: String) throws {
        let testCase = try Fixtures.json("cases/\(caseName).json")
        let review = try ReviewFixture(try Fixtures.json(try #require(testCase["review"]?.stringValue)))
        let first = try plan(review, profile: testCase["profile"])
        guard review.attributes.isPodCreation else { return }
        let patched = try review.with(object: try first.patch.apply(to: review.object))
        let second = try plan(patched, profile: testCase["profile"])
        #expect(second.patch.isEmpty)
        #expect(second.decidingSelector == first.decidingSelector)
    }

    @Test("the patched pod equals the expected pod (applied with python-jsonpatch when the fixture was written)",
          arguments: Fixtures.caseNames)
    func patchedPodMatchesExpectedPod(caseName: String) throws {
        let testCase = try Fixtures.json("cases/\(caseName).json")
        let review = try ReviewFixture(try Fixtures.json(try #require(testCase["review"]?.stringValue)))
        let decision = try plan(review, profile: testCase["profile"])
        #expect(try decision.patch.apply(to: review.object) == Fixtures.json("expected/\(caseName).json"))
    }

    @Test("the patch text, put together from the profile's prepared pieces, is byte for byte its operations written whole",
          arguments: Fixtures.caseNames)
    func patchTextIsItsOperationsWritten(caseName: String) throws {
        let testCase = try Fixtures.json("cases/\(caseName).json")
        let review = try ReviewFixture(try Fixtures.json(try #require(testCase["review"]?.stringValue)))
        let decision = try plan(review, profile: testCase["profile"])
        let operations = try #require([JSONPatchOperation](jsonBytes: decision.patchJSON))
        #expect(String(decoding: decision.patchJSON, as: UTF8.self)
            == (operations.isEmpty ? "" : String(decoding: operations.jsonBytes, as: UTF8.self)))
        #expect(JSONValue.array(operations.map(\.jsonValue)) == testCase["expected"]?["patch"])
    }

    @Test func aWantedTolerationAnEarlierOneCoversIsAddedOnce() {
        let broad = Toleration(key: "virtual-kubelet.io/provider", operator: .exists)
        let narrow = Toleration(key: "virtual-kubelet.io/provider", operator: .exists, effect: "NoSchedule")
        let profile = Profile(selectors: [ProfileSelector(name: "all", objectSelector: LabelSelector())], virtualNodeSelector: [],
                              virtualNodeTolerations: [broad, narrow])
        let attributes = AdmissionAttributes(operation: "CREATE", resource: "pods", namespace: "ns")
        let planner = MutationPlanner(profile: profile)
        #expect(planner.plan(attributes, pod: PodSnapshot(), namespaceLabels: [:]).patch == [.add(JSONPointer(["spec", "tolerations"]), .array([broad.jsonValue]))])
        // The pod's toleration covers only the narrow one: the broad one is still added, the narrow one not again.
        let pod = PodSnapshot(tolerations: [narrow])
        #expect(planner.plan(attributes, pod: pod, namespaceLabels: [:]).patch == [.add(JSONPointer(["spec", "tolerations", "-"]), broad.jsonValue)])
    }

    /// A key repeated in the pod's nodeSelector or labels counts as its last occurrence: the
    /// pod's last `type` is the wanted one (no warning, nothing added), its last `eci` is kept.
    @Test func repeatedPodKeysCountAsTheirLastOccurrence() throws {
        let profile = Profile(selectors: [ProfileSelector(name: "all", objectSelector: LabelSelector(matchLabels: [KeyValue("app", "web")]),
                                                          effect: SelectorEffect(labels: [KeyValue("eci", "true"), KeyValue("zone", "z1")]))],
                              virtualNodeTolerations: [])
        let pod = try PodSnapshot(json: Array(#"""
            {"metadata":{"labels":{"app":"db","eci":"false","app":"web"}},"spec":{"nodeSelector":{"type":"node","type":"virtual-kubelet"}}}
            """#.utf8))
        let decision = MutationPlanner(profile: profile).plan(
            AdmissionAttributes(operation: "CREATE", resource: "pods", namespace: "ns"), pod: pod, namespaceLabels: [:])
        #expect(decision.outcome == .matched)
        #expect(decision.warnings == [])
        #expect(decision.patch == [.add(JSONPointer(["metadata", "labels", "zone"]), .string("z1"))])
    }

    @Test func effectOnlySelectorsNeverSendAPodAlone() {
        let profile = Profile(selectors: [ProfileSelector(name: "only-effect", effect: SelectorEffect(labels: [KeyValue("a", "b")]))])
        let decision = MutationPlanner(profile: profile).plan(
            AdmissionAttributes(operation: "CREATE", resource: "pods", namespace: "ns"), pod: PodSnapshot(), namespaceLabels: [:])
        #expect(decision.outcome == .unmatched)
        #expect(decision.patch.isEmpty)
        #expect(decision.auditAnnotations.isEmpty)
    }

    /// The matched selectors are the sending ones that match and every effect-only one, in profile
    /// order, whether they come prepared with the selector (one sender, a few effect-only selectors)
    /// or are gathered per request (more than `matchedAloneLimit` effect-only selectors, two senders).
    @Test(arguments: [0, 2, 16, 17, 40])
    func matchedSelectorsListSendersAndEffectOnlyInProfileOrder(effectOnlyCount: Int) {
        func effectOnly(_ index: Int) -> ProfileSelector {
            ProfileSelector(name: "effect-\(index)", effect: SelectorEffect(labels: [KeyValue("effect-\(index)", "x")]))
        }
        let half = effectOnlyCount / 2
        let selectors = (0..<half).map(effectOnly)
            + [ProfileSelector(name: "never", objectSelector: LabelSelector(matchLabels: [KeyValue("app", "none")])),
               ProfileSelector(name: "batch", objectSelector: LabelSelector(matchLabels: [KeyValue("app", "batch")]))]
            + (half..<effectOnlyCount).map(effectOnly)
            + [ProfileSelector(name: "batch-too", objectSelector: LabelSelector(matchLabels: [KeyValue("tier", "two")]))]
        let planner = MutationPlanner(profile: Profile(selectors: selectors))
        let attributes = AdmissionAttributes(operation: "CREATE", resource: "pods", namespace: "ns")
        let names = (0..<effectOnlyCount).map { "effect-\($0)" }
        var pod = PodSnapshot()
        pod.labels = ["app": "batch"]
        #expect(planner.plan(attributes, pod: pod, namespaceLabels: [:]).matchedSelectors
            == Array(names[..<half]) + ["batch"] + names[half...])
        pod.labels = ["app": "batch", "tier": "two"]
        #expect(planner.plan(attributes, pod: pod, namespaceLabels: [:]).matchedSelectors
            == Array(names[..<half]) + ["batch"] + names[half...] + ["batch-too"])
    }

    /// A namespace's labels are found by comparing keys up to a few of them and by hashing beyond:
    /// both ways find the same labels (and keys of one length that differ).
    @Test func namespaceLabelsMatchHoweverManyTheNamespaceHas() {
        let profile = Profile(selectors: [ProfileSelector(
            name: "batch", namespaceSelector: LabelSelector(matchLabels: [KeyValue("team", "batch")],
                                                            matchExpressions: [.init(key: "tier", operator: .notIn, values: ["critical"])]))])
        let planner = MutationPlanner(profile: profile)
        let attributes = AdmissionAttributes(operation: "CREATE", resource: "pods", namespace: "ns")
        for extra in [0, 3, 7, 8, 20] {
            var labels = Dictionary(uniqueKeysWithValues: (0..<extra).map { ("key-\($0)", "v") })
            labels["tean"] = "batch"
            #expect(planner.plan(attributes, pod: PodSnapshot(), namespaceLabels: labels).outcome == .unmatched, "\(extra) more labels")
            labels["team"] = "batch"
            #expect(planner.plan(attributes, pod: PodSnapshot(), namespaceLabels: labels).outcome == .matched, "\(extra) more labels")
            labels["tier"] = "critical"
            #expect(planner.plan(attributes, pod: PodSnapshot(), namespaceLabels: labels).outcome == .unmatched, "\(extra) more labels")
        }
    }

    @Test func excludedNamespacesAreConfigurable() {
        let profile = Profile(selectors: [ProfileSelector(name: "all", objectSelector: LabelSelector())])
        let planner = MutationPlanner(profile: profile, excludedNamespaces: ["eci-profile-system"])
        let attributes = AdmissionAttributes(operation: "CREATE", resource: "pods", namespace: "eci-profile-system")
        #expect(planner.plan(attributes, pod: PodSnapshot(), namespaceLabels: [:]).outcome == .skipped(.excludedNamespace))
        var other = attributes
        other.namespace = "kube-system"
        #expect(planner.plan(other, pod: PodSnapshot(), namespaceLabels: [:]).outcome == .matched)
    }

    @Test func normalNodePreferWithManyVirtualNodeLabelsAvoidsEach() {
        let profile = Profile(selectors: [ProfileSelector(name: "p", objectSelector: LabelSelector(), policy: .normalNodePrefer)],
                              virtualNodeSelector: [KeyValue("type", "virtual-kubelet"), KeyValue("k8s.aliyun.com/vnode", "true")],
                              virtualNodeTolerations: [])
        let decision = MutationPlanner(profile: profile).plan(
            AdmissionAttributes(operation: "CREATE", resource: "pods", namespace: "ns"),
            pod: PodSnapshot(affinity: PodSnapshot.Affinity(hasNodeAffinity: true)), namespaceLabels: [:])
        let expected = try? JSONValue(parsing: """
            [{"op":"add","path":"/spec/affinity/nodeAffinity/preferredDuringSchedulingIgnoredDuringExecution","value":[
              {"weight":100,"preference":{"matchExpressions":[
                {"key":"type","operator":"NotIn","values":["virtual-kubelet"]},
                {"key":"k8s.aliyun.com/vnode","operator":"NotIn","values":["true"]}]}}]}]
            """)
        #expect(JSONValue.array(decision.patch.map(\.jsonValue)) == expected)
    }
}
