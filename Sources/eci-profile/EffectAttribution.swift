import ECIProfileCore

/// For `--explain`: which effect keys each matching selector adds, and why the others are not
/// added (the pod already has the key, or an earlier selector set it: nothing is overwritten,
/// SPEC §2.4).
struct EffectAttribution {
    var profile: Profile
    var pod: PodSnapshot
    var matchedSelectors: [String]

    var lines: [String] {
        let matched = Set(matchedSelectors)
        let selectors = profile.selectors.filter { matched.contains($0.name) && $0.mode == .enforce }
        guard selectors.contains(where: { !$0.effect.annotations.isEmpty || !$0.effect.labels.isEmpty }) else { return [] }
        var annotationOwners = [String: String]()
        var labelOwners = [String: String]()
        var lines = ["Effects, in profile order:"]
        for selector in selectors {
            let annotations = Self.attribute(selector.effect.annotations, podKeys: pod.annotationKeys ?? [],
                                             owners: &annotationOwners, selector: selector.name)
            let labels = Self.attribute(selector.effect.labels, podKeys: Set((pod.labels?.entries ?? []).map(\.key)),
                                        owners: &labelOwners, selector: selector.name)
            guard !annotations.isEmpty || !labels.isEmpty else { continue }
            lines.append("  \"\(selector.name)\":")
            lines += annotations.map { "    annotation \($0)" }
            lines += labels.map { "    label \($0)" }
        }
        return lines
    }

    /// One line per entry: added, or why not.
    private static func attribute(_ entries: [KeyValue], podKeys: Set<String>, owners: inout [String: String],
                                  selector: String) -> [String] {
        entries.map { entry in
            if podKeys.contains(entry.key) { return "\(entry.key): not added, the pod already has it" }
            if let owner = owners[entry.key] { return "\(entry.key): not added, selector \"\(owner)\" set it first" }
            owners[entry.key] = selector
            return "\(entry.key)=\(entry.value): added"
        }
    }
}
