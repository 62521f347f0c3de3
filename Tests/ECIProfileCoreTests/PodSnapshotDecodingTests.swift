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

    @Test func refusesAnOperatorThatIsNotAString() {
        #expect(throws: JSONError(offset: 50, message: "expected a string")) {
            try PodSnapshot(json: Array(#"{"metadata":{},"spec":{"tolerations":[{"operator":1}]}}"#.utf8))
        }
    }
}
