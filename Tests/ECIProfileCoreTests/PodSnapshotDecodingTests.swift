import ECIProfileCore
import Testing

/// What `PodSnapshot` reads for planning, on pod shapes the fixtures do not cover.
@Suite struct PodSnapshotDecodingTests {
    /// Operators are compared in place; an escaped name is still the operator it spells, and one
    /// Kubernetes would reject is read as absent (so as Equal).
    @Test func readsTolerationOperators() throws {
        let pod = try PodSnapshot(json: Array(#"""
            {"metadata":{},"spec":{"tolerations":[
             {"key":"a","operator":"Exists"},{"key":"b","operator":"Equal","value":"v"},
             {"key":"c","operator":"\u0045xists"},{"key":"d","operator":"exists"},{"key":"e","operator":null},{"key":"f"}]}}
            """#.utf8))
        #expect(pod.tolerations == [
            Toleration(key: "a", operator: .exists), Toleration(key: "b", operator: .equal, value: "v"),
            Toleration(key: "c", operator: .exists), Toleration(key: "d"), Toleration(key: "e"), Toleration(key: "f"),
        ])
    }

    /// Toleration and label keys that are well-known strings decode to the same strings as any
    /// other; a key of the same length that differs anywhere, or that is escaped, is itself.
    @Test func readsWellKnownKeysAsTheirText() throws {
        let pod = try PodSnapshot(json: Array(#"""
            {"metadata":{"labels":{"pod-template-hash":"1","pod-template-hasH":"2","kubernetes.io/os":"linux",
             "controller-revision-hash":"3","Pod-template-hash":"4","pod-template-h\u0061sh":"5"}},
             "spec":{"nodeSelector":{"kubernetes.io/arch":"arm64"},"tolerations":[
             {"key":"node.kubernetes.io/not-ready"},{"key":"node.kubernetes.io/unreachable"},{"key":"node.kubernetes.io/not-reaDY"},
             {"key":"node.kubernetes.io/unreachablE"},{"key":"node.kubernetes.io/not-read"}]}}
            """#.utf8))
        #expect(pod.labels == ["pod-template-hash": "5", "pod-template-hasH": "2", "kubernetes.io/os": "linux",
                               "controller-revision-hash": "3", "Pod-template-hash": "4"])
        #expect(pod.nodeSelector == ["kubernetes.io/arch": "arm64"])
        #expect(pod.tolerations?.map(\.key) == ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable",
                                                "node.kubernetes.io/not-reaDY", "node.kubernetes.io/unreachablE",
                                                "node.kubernetes.io/not-read"])
    }

    /// Taint effects read as literals are the same strings as any other; `null` is "", an escaped
    /// spelling is the effect it spells, a near miss is itself.
    @Test func readsTolerationEffectsAsTheirText() throws {
        let pod = try PodSnapshot(json: Array(#"""
            {"metadata":{},"spec":{"tolerations":[{"effect":"NoExecute"},{"effect":"NoSchedule"},
             {"effect":"PreferNoSchedule"},{"effect":null},{"effect":"No\u0053chedule"},{"effect":"NoExecutE"},
             {"effect":"PreferNoSchedulE"},{"effect":"Custom"},{}]}}
            """#.utf8))
        #expect(pod.tolerations?.map(\.effect) == ["NoExecute", "NoSchedule", "PreferNoSchedule", "", "NoSchedule",
                                                   "NoExecutE", "PreferNoSchedulE", "Custom", ""])
    }

    @Test func refusesAnEffectThatIsNotAString() {
        #expect(throws: JSONError(offset: 48, message: "expected a string")) {
            try PodSnapshot(json: Array(#"{"metadata":{},"spec":{"tolerations":[{"effect":1}]}}"#.utf8))
        }
    }

    @Test func refusesAnOperatorThatIsNotAString() {
        #expect(throws: JSONError(offset: 50, message: "expected a string")) {
            try PodSnapshot(json: Array(#"{"metadata":{},"spec":{"tolerations":[{"operator":1}]}}"#.utf8))
        }
    }
}
