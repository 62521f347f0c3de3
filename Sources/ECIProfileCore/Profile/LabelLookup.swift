/// Labels as a `LabelSelector` reads them: the value of a key, nil when absent. A pod's labels
/// are a `StringMap`; a namespace's, a dictionary.
public protocol LabelLookup {
    subscript(key: String) -> String? { get }
}

extension Dictionary: LabelLookup where Key == String, Value == String {}
