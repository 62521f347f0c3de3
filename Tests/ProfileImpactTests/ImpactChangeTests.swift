import ECIProfileCore
import ProfileImpact
import Testing

/// Two profiles compared over hand-made pods: each kind of change, and what the line says.
@Suite struct ImpactChangeTests {
    private func selector(_ name: String, namespace team: String? = nil, pod app: String? = nil, policy: SchedulingPolicy = .virtualNodeOnly,
                          mode: SelectorMode = .enforce, annotations: [KeyValue] = []) -> ProfileSelector {
        var selector = ProfileSelector(name: name, policy: policy, effect: SelectorEffect(annotations: annotations))
        selector.namespaceSelector = team.map { LabelSelector(matchLabels: [KeyValue("team", $0)]) }
        selector.objectSelector = app.map { LabelSelector(matchLabels: [KeyValue("app", $0)]) }
        selector.mode = mode
        return selector
    }

    private func subject(_ name: String, namespace: String = "batch", app: String = "x", hostNetwork: Bool = false) throws -> ImpactSubject {
        let pod = """
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"\(name)","namespace":"\(namespace)","labels":{"app":"\(app)"}},
             "spec":{"hostNetwork":\(hostNetwork),"containers":[{"name":"c","image":"busybox"}]}}
            """
        return try #require(try ImpactSubject.fromObject(try JSONValue(parsing: pod), source: "test", defaultNamespace: "default"))
    }

    private func change(_ old: [ProfileSelector], _ new: [ProfileSelector], _ subject: ImpactSubject) -> ImpactChange? {
        ProfileImpact(old: Profile(selectors: old), new: Profile(selectors: new), excludedNamespaces: ["kube-system"])
            .change(for: subject, namespaceLabels: ["team": subject.namespace])
    }

    @Test func newlySent() throws {
        let found = try #require(change([], [selector("batch", namespace: "batch", policy: .fair)], subject("p")))
        #expect(found.kinds == [.sent])
        #expect(found.line == #"Pod batch/p: not sent → sent by "batch" (fair)"#)
    }

    @Test func noLongerSent() throws {
        let found = try #require(change([selector("batch", namespace: "batch")], [], subject("p")))
        #expect(found.kinds == [.unsent])
        #expect(found.line == #"Pod batch/p: sent by "batch" (virtualNodeOnly) → not sent"#)
    }

    @Test func policyAndDecidingSelector() throws {
        let found = try #require(change([selector("a", namespace: "batch")], [selector("b", pod: "x", policy: .normalNodePrefer)], subject("p")))
        #expect(found.kinds == [.policy, .selector])
        #expect(found.line == #"Pod batch/p: sent by "a" (virtualNodeOnly) → sent by "b" (normalNodePrefer)"#)
    }

    @Test func effectsAddedRemovedAndChanged() throws {
        let old = [selector("a", namespace: "batch", annotations: [KeyValue("gone", "1"), KeyValue("specs", "2-4Gi")])]
        let new = [selector("a", namespace: "batch", annotations: [KeyValue("specs", "4-8Gi"), KeyValue("added", "yes")])]
        let found = try #require(change(old, new, subject("p")))
        #expect(found.kinds == [.effects])
        #expect(found.line == #"Pod batch/p: sent by "a" (virtualNodeOnly); -annotation gone=1, annotation specs: 2-4Gi → 4-8Gi, +annotation added=yes"#)
    }

    @Test func newlyKeptBackByACompatibilityCheck() throws {
        let found = try #require(change([], [selector("batch", namespace: "batch")], subject("p", hostNetwork: true)))
        #expect(found.kinds == [.keptBack])
        #expect(found.new.placement == .keptBack(selector: "batch", policy: .virtualNodeOnly, checks: [.hostNetwork]))
        #expect(found.line == #"Pod batch/p: not sent → kept back by hostNetwork (selector "batch")"#)
    }

    @Test func releasedWhenTheGuardIsOff() throws {
        let selectors = [selector("batch", namespace: "batch")]
        var unguarded = Profile(selectors: selectors)
        unguarded.compatibilityChecks = []
        let found = try #require(ProfileImpact(old: Profile(selectors: selectors), new: unguarded, excludedNamespaces: [])
            .change(for: try subject("p", hostNetwork: true), namespaceLabels: ["team": "batch"]))
        #expect(found.kinds == [.released])
    }

    @Test func auditSelectorsOnly() throws {
        let found = try #require(change([], [selector("watch", namespace: "batch", mode: .audit)], subject("p")))
        #expect(found.kinds == [.audit])
        #expect(found.old.placement == .notSent && found.new.placement == .notSent)
        #expect(found.line == #"Pod batch/p: audit selectors +"watch""#)
    }

    @Test func nothingChangesForAnExcludedNamespaceOrTheSameProfile() throws {
        #expect(change([], [selector("all", namespace: "kube-system")], try subject("p", namespace: "kube-system")) == nil)
        let same = [selector("a", namespace: "batch", annotations: [KeyValue("k", "v")])]
        #expect(change(same, same, try subject("p")) == nil)
    }

    @Test func theReportCountsEachKindAndWritesJSON() throws {
        let impact = ProfileImpact(old: Profile(), new: Profile(selectors: [selector("batch", namespace: "batch", policy: .fair)]), excludedNamespaces: [])
        let report = impact.report([try subject("p"), try subject("q", namespace: "web")]) { ["team": $0] }
        #expect(report.summary == "2 object(s) read, 1 changed: 1 newly sent")
        let json = report.json()
        #expect(json["objects"] == .number("2"))
        #expect(json["byKind"] == .object([JSONMember("sent", .number("1"))]))
        guard case .array(let changes)? = json["changes"] else {
            Issue.record("no changes array in \(json.jsonString)")
            return
        }
        #expect(changes.map { $0["name"] } == [.string("p")])
        #expect(changes.first?["new"]?["selector"] == .string("batch"))
    }
}
