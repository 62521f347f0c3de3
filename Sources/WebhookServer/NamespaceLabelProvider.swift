public import AdmissionCodec
import Synchronization

/// Where the webhook learns a namespace's labels.
public protocol NamespaceLabelProvider: Sendable {
    /// The labels of `namespace`, or why they are not known.
    func labels(for namespace: String) -> NamespaceLabels
    /// Why the provider is not ready yet; nil once it can answer.
    var notReadyReason: String? { get }
}

/// Namespace labels known offline: from a file (replaced when the file changes), or none at all.
/// A namespace missing from the table has no labels: offline, the table is the whole truth.
public final class NamespaceLabelTable: NamespaceLabelProvider {
    private let table: Mutex<[String: [String: String]]>

    public init(_ table: [String: [String: String]] = [:]) {
        self.table = Mutex(table)
    }

    /// Replaces every namespace's labels.
    public func replace(with table: [String: [String: String]]) {
        self.table.withLock { $0 = table }
    }

    public func labels(for namespace: String) -> NamespaceLabels {
        .found(table.withLock { $0[namespace] ?? [:] })
    }

    /// The number of namespaces known.
    public var count: Int { table.withLock { $0.count } }

    public var notReadyReason: String? { nil }
}
