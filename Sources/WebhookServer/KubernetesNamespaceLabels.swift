import AdmissionCodec
import Dispatch
import EventLoop
import Foundation
import KubernetesClient
import Synchronization

/// Namespace labels from the Kubernetes API: a cache kept by a list+watch of namespaces, and, for
/// a namespace the watch has not delivered yet (created a moment ago), one live GET within a
/// 1 s budget; past that the pod is allowed unchanged (SPEC §2.8).
final class KubernetesNamespaceLabels: NamespaceLabelProvider {
    private struct Cache {
        var labels: [String: [String: String]] = [:]
        var hasSynced = false
        /// When a live lookup of a namespace last failed: it is not tried again for a while, so an
        /// unreachable API server costs each namespace one budget, not one per pod.
        var failedLookups: [String: ContinuousClock.Instant] = [:]
    }

    /// How long a failed lookup is remembered.
    static let failedLookupMemory: Duration = .seconds(5)

    private let cache = Mutex(Cache())
    private let client: KubernetesClient
    private let lookupBudget: Duration

    init(client: KubernetesClient, lookupBudget: Duration = .seconds(1)) {
        self.client = client
        self.lookupBudget = lookupBudget
    }

    /// Replaces the whole cache (a list).
    func replaceAll(_ namespaces: [Namespace]) {
        let labels = Dictionary(namespaces.map { ($0.name, $0.labels) }) { $1 }
        cache.withLock {
            $0.labels = labels
            $0.hasSynced = true
            $0.failedLookups = [:]
        }
    }

    /// Records one namespace's labels (added or modified).
    func update(_ namespace: Namespace) {
        cache.withLock {
            $0.labels[namespace.name] = namespace.labels
            $0.failedLookups[namespace.name] = nil
        }
    }

    /// Forgets a deleted namespace.
    func remove(_ namespace: Namespace) {
        _ = cache.withLock { $0.labels.removeValue(forKey: namespace.name) }
    }

    /// The number of namespaces cached.
    var count: Int { cache.withLock { $0.labels.count } }

    var notReadyReason: String? {
        cache.withLock { $0.hasSynced } ? nil : "namespace list not synced yet"
    }

    func labels(for namespace: String) -> NamespaceLabels {
        let now = ContinuousClock.now
        let cached: NamespaceLabels? = cache.withLock { cache in
            if let labels = cache.labels[namespace] { return .found(labels) }
            if let failed = cache.failedLookups[namespace], now - failed < Self.failedLookupMemory {
                return .unavailable(reason: "namespace \(namespace) not cached; its last lookup failed moments ago")
            }
            return nil
        }
        if let cached { return cached }
        let answer = lookUp(namespace)
        if case .unavailable = answer {
            cache.withLock { cache in
                if cache.failedLookups.count >= 256 {
                    cache.failedLookups = cache.failedLookups.filter { now - $0.value < Self.failedLookupMemory }
                }
                cache.failedLookups[namespace] = now
            }
        }
        return answer
    }

    /// Blocks the calling (event loop) thread for at most the budget: this happens only for a
    /// namespace younger than the watch's latency.
    private func lookUp(_ name: String) -> NamespaceLabels {
        let answer = Mutex<NamespaceLabels?>(nil)
        let done = DispatchSemaphore(value: 0)
        // The GET goes on after the budget: its answer still fills the cache for the next pod.
        Task { [self] in
            let result: NamespaceLabels
            do {
                let response = try await client.get(path: "/api/v1/namespaces/\(name)")
                if response.status == 200 {
                    let namespace = try JSONDecoder().decode(Namespace.self, from: Data(response.body))
                    cache.withLock { $0.labels[namespace.name] = namespace.labels }
                    result = .found(namespace.labels)
                } else {
                    result = .unavailable(reason: "GET namespace \(name): HTTP \(response.status)")
                }
            } catch {
                result = .unavailable(reason: "GET namespace \(name): \(error)")
            }
            answer.withLock { $0 = result }
            done.signal()
        }
        guard done.wait(timeout: .now() + .nanoseconds(Int(clamping: lookupBudget.clampedNanoseconds))) == .success else {
            return .unavailable(reason: "namespace \(name) not cached and not fetched within \(lookupBudget)")
        }
        return answer.withLock { $0 } ?? .unavailable(reason: "namespace \(name) lookup gave no answer")
    }
}
