public import AdmissionCodec

/// Where the webhook learns a namespace's labels.
public protocol NamespaceLabelProvider: Sendable {
    /// The labels of `namespace`, or why they are not known.
    func labels(for namespace: String) -> NamespaceLabels
    /// Why the provider is not ready yet; nil once it can answer.
    var notReadyReason: String? { get }
}

/// Namespace labels fixed at start: from a file, or none at all (every namespace unlabelled).
public struct StaticNamespaceLabels: NamespaceLabelProvider {
    public let table: [String: [String: String]]

    public init(_ table: [String: [String: String]] = [:]) {
        self.table = table
    }

    /// A namespace missing from the table has no labels: the table is the whole truth offline.
    public func labels(for namespace: String) -> NamespaceLabels {
        .found(table[namespace] ?? [:])
    }

    public var notReadyReason: String? { nil }
}
