/// A map of strings as a pod carries it (`metadata.labels`, `spec.nodeSelector`): each key once,
/// with the value it was last given, in the order keys were first seen. It holds what a
/// dictionary would after the same assignments, and equality ignores the order, as a
/// dictionary's does.
///
/// Maintainers' note: a pod carries a handful of labels and seldom a nodeSelector, so a key is
/// found by comparing it with each in turn instead of by hashing it. Measured with callgrind
/// (`planning-benchmark`, per review): with dictionaries, the bench review cost 72.6k
/// instructions, the batch review 67.3k; with this, 70.6k and 65.8k. Beyond `indexedAbove`
/// entries the map also keeps a dictionary of positions: without it a pod with 2,000 labels took
/// 22.7 ms to read instead of 0.9 ms (quadratic: 20,000 labels, over a second).
public struct StringMap: Sendable, Equatable, ExpressibleByDictionaryLiteral, LabelLookup {
    /// The entries, in the order their keys were first seen.
    public private(set) var entries: [(key: String, value: String)] = []
    /// Each key's position in `entries`, kept only beyond `indexedAbove` entries.
    private var positions: [String: Int]?
    static let indexedAbove = 16

    public init() {}

    /// A map of `minimumCapacity` entries, so that a typical pod's are not reallocated as they come.
    init(minimumCapacity: Int) {
        entries.reserveCapacity(minimumCapacity)
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        for (key, value) in elements { updateValue(value, forKey: key) }
    }

    public var count: Int { entries.count }

    /// The value of `key`, nil when the map lacks it.
    public subscript(key: String) -> String? {
        position(of: key).map { entries[$0].value }
    }

    /// Sets the value of `key`: a key already present keeps its place.
    public mutating func updateValue(_ value: String, forKey key: String) {
        if let position = position(of: key) {
            entries[position].value = value
            return
        }
        positions?[key] = entries.count
        entries.append((key, value))
        if positions == nil, entries.count > Self.indexedAbove {
            positions = Dictionary(uniqueKeysWithValues: entries.enumerated().lazy.map { ($1.key, $0) })
        }
    }

    private func position(of key: String) -> Int? {
        if let positions { return positions[key] }
        // Lengths first: `==` on two different short strings costs about 60 instructions, and keys
        // mostly differ in length.
        let length = key.utf8.count
        return entries.firstIndex { $0.key.utf8.count == length && $0.key == key }
    }

    public static func == (lhs: StringMap, rhs: StringMap) -> Bool {
        lhs.count == rhs.count && lhs.entries.allSatisfy { rhs[$0.key] == $0.value }
    }
}
