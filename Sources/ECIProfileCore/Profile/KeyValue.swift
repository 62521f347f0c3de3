/// A string key and value; ordered arrays of these keep a profile author's order.
public struct KeyValue: Sendable, Hashable {
    public var key: String
    public var value: String

    public init(_ key: String, _ value: String) {
        self.key = key
        self.value = value
    }
}
