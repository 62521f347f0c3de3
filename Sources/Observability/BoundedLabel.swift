/// A label whose values come from a fixed list; any other value is exported as `other`.
///
/// Bounding values keeps a metric's series count fixed whatever clients send, and gives each value a
/// small index so hot-path handles can be cached by integer instead of by string.
struct BoundedLabel: Sendable {
    /// The value exported for anything outside `values`.
    static let other = "other"

    /// The label's name.
    let name: String
    /// The accepted values, in index order.
    let values: [String]

    /// The number of distinct indices, `other` included.
    var cardinality: Int { values.count + 1 }

    /// The index of `value`, or `values.count` (meaning `other`) when it is not in the list.
    func index(of value: some StringProtocol) -> Int {
        values.firstIndex { $0 == value } ?? values.count
    }

    /// The label pair for `index`.
    func pair(at index: Int) -> (String, String) {
        (name, index < values.count ? values[index] : Self.other)
    }
}
