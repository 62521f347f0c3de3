/// A namespace's labels as planning's selectors look them up. A namespace carries a handful of
/// labels, so up to `scannedUpTo` of them a key is found by comparing it with each (lengths first)
/// instead of by hashing it, which every selector's lookup did (callgrind, `serve`, bench review:
/// `MutationPlanner.plan` 8.8k -> 8.3k instructions per request, for three selectors).
struct NamespaceLabelLookup: LabelLookup {
    let labels: [String: String]
    /// Up to this many labels a key is found by comparison; beyond, by the dictionary's hashing.
    static let scannedUpTo = 8

    subscript(key: String) -> String? {
        guard labels.count <= Self.scannedUpTo else { return labels[key] }
        let length = key.utf8.count
        for (candidate, value) in labels where candidate.utf8.count == length && candidate == key {
            return value
        }
        return nil
    }
}
