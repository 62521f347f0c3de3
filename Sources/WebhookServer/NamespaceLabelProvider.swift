public import AdmissionCodec
import Synchronization

/// Where the webhook learns a namespace's labels: at once from what it holds, or, for a namespace it
/// must fetch first, later and off the calling (event loop) thread.
public protocol NamespaceLabelProvider: Sendable {
    /// The labels of `namespace` (or why they are not known) when that can be said at once; nil when
    /// they must be fetched with `fetchLabels`.
    func cachedLabels(for namespace: String) -> NamespaceLabels?
    /// Fetches the labels of `namespace` without blocking the caller and calls `answer` exactly once,
    /// from any thread, within the provider's time budget.
    func fetchLabels(for namespace: String, answer: @escaping @Sendable (NamespaceLabels) -> Void)
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

    public func cachedLabels(for namespace: String) -> NamespaceLabels? {
        .found(table.withLock { $0[namespace] ?? [:] })
    }

    public func fetchLabels(for namespace: String, answer: @escaping @Sendable (NamespaceLabels) -> Void) {
        answer(.found(table.withLock { $0[namespace] ?? [:] }))
    }

    /// The number of namespaces known.
    public var count: Int { table.withLock { $0.count } }

    public var notReadyReason: String? { nil }
}
