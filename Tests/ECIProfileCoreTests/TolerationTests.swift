import ECIProfileCore
import Testing

@Suite struct TolerationTests {
    static let wantedExists = Toleration(key: "virtual-kubelet.io/provider", operator: .exists, effect: "NoSchedule")
    static let wantedEqual = Toleration(key: "virtual-kubelet.io/provider", operator: .equal, value: "alibabacloud", effect: "NoSchedule")

    @Test(arguments: [
        (Toleration(key: "virtual-kubelet.io/provider", operator: .exists, effect: "NoSchedule"), true),
        (Toleration(key: "virtual-kubelet.io/provider", operator: .exists), true),
        (Toleration(operator: .exists), true),
        (Toleration(operator: .exists, effect: "NoSchedule"), true),
        (Toleration(operator: .exists, effect: "NoExecute"), false),
        (Toleration(key: "virtual-kubelet.io/provider", operator: .exists, effect: "NoExecute"), false),
        (Toleration(key: "other", operator: .exists, effect: "NoSchedule"), false),
        (Toleration(key: "virtual-kubelet.io/provider", operator: .equal, value: "alibabacloud", effect: "NoSchedule"), false),
        (Toleration(key: "virtual-kubelet.io/provider", value: "", effect: "NoSchedule"), false),
    ])
    func coversWantedExists(existing: Toleration, covers: Bool) {
        #expect(existing.covers(Self.wantedExists) == covers)
    }

    @Test(arguments: [
        (Toleration(key: "virtual-kubelet.io/provider", operator: .equal, value: "alibabacloud", effect: "NoSchedule"), true),
        (Toleration(key: "virtual-kubelet.io/provider", value: "alibabacloud"), true),
        (Toleration(key: "virtual-kubelet.io/provider", operator: .equal, value: "other", effect: "NoSchedule"), false),
        (Toleration(key: "virtual-kubelet.io/provider", operator: .exists), true),
        (Toleration(operator: .exists), true),
    ])
    func coversWantedEqual(existing: Toleration, covers: Bool) {
        #expect(existing.covers(Self.wantedEqual) == covers)
    }

    /// The planner drops a wanted toleration an earlier one covers, relying on this.
    @Test func coveringIsTransitive() {
        let all = ["", "k", "other"].flatMap { key in
            [nil, Toleration.Operator.exists, .equal].flatMap { op in
                ["", "v", "w"].flatMap { value in ["", "NoSchedule", "NoExecute"].map { Toleration(key: key, operator: op, value: value, effect: $0) } }
            }
        }
        for a in all {
            for b in all where a.covers(b) {
                for c in all where b.covers(c) {
                    #expect(a.covers(c), "\(a) covers \(b), which covers \(c)")
                }
            }
        }
    }

    @Test func serializesOnlyPresentFields() throws {
        let toleration = Toleration(key: "k", operator: .equal, value: "v", effect: "NoExecute", tolerationSeconds: 30)
        #expect(toleration.jsonValue == (try JSONValue(parsing: #"{"key":"k","operator":"Equal","value":"v","effect":"NoExecute","tolerationSeconds":30}"#)))
        #expect(Toleration(operator: .exists).jsonValue == (try JSONValue(parsing: #"{"operator":"Exists"}"#)))
    }
}
