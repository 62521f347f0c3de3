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

    @Test func serializesOnlyPresentFields() throws {
        let toleration = Toleration(key: "k", operator: .equal, value: "v", effect: "NoExecute", tolerationSeconds: 30)
        #expect(toleration.jsonValue == (try JSONValue(parsing: #"{"key":"k","operator":"Equal","value":"v","effect":"NoExecute","tolerationSeconds":30}"#)))
        #expect(Toleration(operator: .exists).jsonValue == (try JSONValue(parsing: #"{"operator":"Exists"}"#)))
    }
}
