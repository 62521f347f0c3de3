import ECIProfileCore
import Testing

/// Random selectors and label sets against a reference reading of Kubernetes' LabelSelector
/// semantics, and random valid profiles through write-then-parse.
@Suite struct LabelSelectorPropertyTests {
    /// A small deterministic generator (SplitMix64), so a failure reproduces.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let keys = ["app", "tier", "team", "example.com/role", "eci"]
    static let values = ["a", "b", "batch", "web-1", "x.y_z"]

    static func randomLabels(_ g: inout Generator) -> [String: String] {
        var labels: [String: String] = [:]
        for key in keys where Bool.random(using: &g) { labels[key] = values.randomElement(using: &g)! }
        return labels
    }

    static func randomSelector(_ g: inout Generator) -> LabelSelector {
        var selector = LabelSelector()
        for key in keys.shuffled(using: &g).prefix(Int.random(in: 0...2, using: &g)) {
            selector.matchLabels.append(KeyValue(key, values.randomElement(using: &g)!))
        }
        for _ in 0..<Int.random(in: 0...3, using: &g) {
            let op = LabelSelector.Requirement.Operator.allCases.randomElement(using: &g)!
            let needsValues = op == .in || op == .notIn
            let chosen = needsValues ? Array(values.shuffled(using: &g).prefix(Int.random(in: 1...3, using: &g))) : []
            selector.matchExpressions.append(.init(key: keys.randomElement(using: &g)!, operator: op, values: chosen))
        }
        return selector
    }

    /// The reference: every requirement, written out from the Kubernetes documentation's table.
    static func referenceMatches(_ selector: LabelSelector, _ labels: [String: String]) -> Bool {
        for pair in selector.matchLabels where labels[pair.key] != pair.value { return false }
        for requirement in selector.matchExpressions {
            let present = labels.keys.contains(requirement.key)
            let inSet = present && requirement.values.contains(labels[requirement.key]!)
            let holds: Bool = switch requirement.operator {
            case .in: inSet
            case .notIn: !inSet
            case .exists: present
            case .doesNotExist: !present
            }
            if !holds { return false }
        }
        return true
    }

    @Test func matchingAgreesWithTheReference() {
        var g = Generator(state: 42)
        var matches = 0
        for _ in 0..<5_000 {
            let selector = Self.randomSelector(&g)
            let labels = Self.randomLabels(&g)
            let expected = Self.referenceMatches(selector, labels)
            #expect(selector.matches(labels) == expected, "\(selector.description) vs \(labels)")
            // A pod's labels, as decoded: the same answer from a `StringMap` in any order.
            var podLabels = StringMap()
            for (key, value) in labels.shuffled(using: &g) { podLabels.updateValue(value, forKey: key) }
            #expect(selector.matches(podLabels) == expected, "\(selector.description) vs \(podLabels.entries)")
            if expected { matches += 1 }
        }
        // The generator must exercise both answers, or the comparison proves little.
        #expect(matches > 500 && matches < 4_500)
    }

    @Test func emptySelectorMatchesEverything() {
        var g = Generator(state: 7)
        for _ in 0..<100 { #expect(LabelSelector().matches(Self.randomLabels(&g))) }
    }

    @Test func randomValidProfilesRoundTrip() throws {
        var g = Generator(state: 2026)
        for index in 0..<300 {
            var profile = Profile()
            for s in 0..<Int.random(in: 0...5, using: &g) {
                profile.selectors.append(ProfileSelector(
                    name: "selector-\(index)-\(s)",
                    namespaceSelector: Bool.random(using: &g) ? Self.randomSelector(&g) : nil,
                    objectSelector: Bool.random(using: &g) ? Self.randomSelector(&g) : nil,
                    policy: SchedulingPolicy.allCases.randomElement(using: &g)!,
                    effect: SelectorEffect(annotations: [KeyValue("k8s.aliyun.com/eci-use-specs", "\(s)-\(index)Gi")],
                                           labels: Bool.random(using: &g) ? [KeyValue("eci", "true")] : [])))
            }
            if Bool.random(using: &g) { profile.clusterSettings = [KeyValue("enableClusterIp", "true"), KeyValue("vpcId", "vpc-\(index)")] }
            let result = ProfileParser.parse(profile.configMapData)
            #expect(result.errors.isEmpty, "\(result.errors)")
            #expect(result.profile == profile)
        }
    }
}
