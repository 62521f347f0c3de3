import AdmissionCodec
import Foundation
import KubernetesClient
import Synchronization

/// Namespace labels from the Kubernetes API: a cache kept by a list+watch of namespaces, and, for
/// a namespace the watch has not delivered yet (created a moment ago), one live GET within a
/// 1 s budget; past that the pod is allowed unchanged (SPEC §2.8).
///
/// Maintainers' note: the GET runs on a client thread, never on the event loop; the requests waiting
/// for one namespace share its GET (one lookup in flight per namespace) and each gives up at its own
/// budget. GETs of different namespaces run concurrently, up to `maxConcurrentLookups`; beyond that
/// they queue (a burst of new namespaces cannot start a thread each). The GET goes on after the budgets: its answer still fills the cache for the next pod, and
/// the watch delivering the namespace first answers the waiters at once.
final class KubernetesNamespaceLabels: NamespaceLabelProvider {
    private struct Cache {
        var labels: [String: [String: String]] = [:]
        var hasSynced = false
        /// When a live lookup of a namespace last failed: it is not tried again for a while, so an
        /// unreachable API server costs each namespace one budget, not one per pod.
        var failedLookups: [String: ContinuousClock.Instant] = [:]
        /// The requests waiting for each namespace whose GET is in flight or queued.
        var waiting: [String: [LookupWaiter]] = [:]
        /// GETs in flight, at most `maxConcurrentLookups`.
        var lookupsInFlight = 0
        /// Namespaces whose GET waits for one in flight to end, oldest first.
        var queuedLookups: [String] = []

        /// Whether a GET of `namespace` may start now (counted in flight); otherwise it is queued.
        mutating func admitLookup(of namespace: String) -> Bool {
            guard lookupsInFlight < KubernetesNamespaceLabels.maxConcurrentLookups else {
                queuedLookups.append(namespace)
                return false
            }
            lookupsInFlight += 1
            return true
        }

        /// A GET ended: the queued namespace to fetch next (counted in flight), skipping those the
        /// watch delivered meanwhile.
        mutating func nextLookup() -> String? {
            lookupsInFlight -= 1
            while !queuedLookups.isEmpty {
                let namespace = queuedLookups.removeFirst()
                if labels[namespace] == nil, waiting[namespace] != nil {
                    lookupsInFlight += 1
                    return namespace
                }
            }
            return nil
        }

        mutating func recordFailure(_ namespace: String, at now: ContinuousClock.Instant) {
            if failedLookups.count >= 256 {
                failedLookups = failedLookups.filter { now - $0.value < KubernetesNamespaceLabels.failedLookupMemory }
            }
            failedLookups[namespace] = now
        }
    }

    /// How long a failed lookup is remembered.
    static let failedLookupMemory: Duration = .seconds(5)
    /// GETs of different namespaces run concurrently, each on a client thread, up to this many at once.
    static let maxConcurrentLookups = 64

    private let cache = Mutex(Cache())
    private let client: KubernetesClient
    private let lookupBudget: Duration

    init(client: KubernetesClient, lookupBudget: Duration = .seconds(1)) {
        self.client = client
        self.lookupBudget = lookupBudget
    }

    /// Replaces the whole cache (a list).
    func replaceAll(_ namespaces: [Namespace]) {
        var labels = [String: [String: String]](minimumCapacity: namespaces.count)
        for namespace in namespaces { labels[namespace.name] = namespace.labels }
        let answered = cache.withLock { cache in
            cache.labels = labels
            cache.hasSynced = true
            cache.failedLookups = [:]
            var answered: [([LookupWaiter], [String: String])] = []
            for name in Array(cache.waiting.keys) {
                if let found = labels[name], let waiters = cache.waiting.removeValue(forKey: name) { answered.append((waiters, found)) }
            }
            return answered
        }
        for (waiters, found) in answered { answer(waiters, .found(found)) }
    }

    /// Records one namespace's labels (added or modified); requests waiting for it get them at once.
    func update(_ namespace: Namespace) {
        let waiters = cache.withLock { cache in
            cache.labels[namespace.name] = namespace.labels
            cache.failedLookups[namespace.name] = nil
            return cache.waiting.removeValue(forKey: namespace.name)
        }
        if let waiters { answer(waiters, .found(namespace.labels)) }
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

    func cachedLabels(for namespace: String) -> NamespaceLabels? {
        let now = ContinuousClock.now
        return cache.withLock { cache in
            if let labels = cache.labels[namespace] { return .found(labels) }
            if let failed = cache.failedLookups[namespace], now - failed < Self.failedLookupMemory {
                return .unavailable(reason: "namespace \(namespace) not cached; its last lookup failed moments ago")
            }
            return nil
        }
    }

    func fetchLabels(for namespace: String, answer: @escaping @Sendable (NamespaceLabels) -> Void) {
        let waiter = LookupWaiter(answer)
        enum Next { case answer(NamespaceLabels), wait, startLookup }
        let next: Next = cache.withLock { cache in
            // The watch (or another lookup) may have delivered it since the caller asked.
            if let labels = cache.labels[namespace] { return .answer(.found(labels)) }
            if cache.waiting[namespace] != nil {
                cache.waiting[namespace]!.append(waiter)
                return .wait
            }
            cache.waiting[namespace] = [waiter]
            return cache.admitLookup(of: namespace) ? .startLookup : .wait
        }
        switch next {
        case .answer(let labels):
            answer(labels)
            return
        case .startLookup:
            Task { await lookUp(namespace) }
        case .wait:
            break
        }
        let budget = lookupBudget
        Task { [self] in
            try? await Task.sleep(for: budget)
            giveUp(waiter, on: namespace)
        }
    }

    /// A waiter's budget is spent: it fails open, and the namespace counts as failed for a while.
    private func giveUp(_ waiter: LookupWaiter, on namespace: String) {
        let now = ContinuousClock.now
        let wasWaiting = cache.withLock { cache in
            guard let index = cache.waiting[namespace]?.firstIndex(where: { $0 === waiter }) else { return false }
            cache.waiting[namespace]!.remove(at: index)
            cache.recordFailure(namespace, at: now)
            return true
        }
        if wasWaiting {
            waiter.answer(.unavailable(reason: "namespace \(namespace) not cached and not fetched within \(lookupBudget)"))
        }
    }

    /// The one GET of a namespace; its answer fills the cache and goes to everyone still waiting.
    private func lookUp(_ name: String) async {
        let result: NamespaceLabels
        do {
            let response = try await client.get(path: "/api/v1/namespaces/\(name)")
            if response.status == 200 {
                let namespace = try JSONDecoder().decode(Namespace.self, from: Data(response.body))
                result = .found(namespace.labels)
            } else {
                result = .unavailable(reason: "GET namespace \(name): HTTP \(response.status)")
            }
        } catch {
            result = .unavailable(reason: "GET namespace \(name): \(error)")
        }
        let now = ContinuousClock.now
        let (waiters, next) = cache.withLock { cache in
            switch result {
            case .found(let labels):
                cache.labels[name] = labels
                cache.failedLookups[name] = nil
            case .unavailable:
                cache.recordFailure(name, at: now)
            }
            return (cache.waiting.removeValue(forKey: name), cache.nextLookup())
        }
        if let next { Task { await lookUp(next) } }
        if let waiters { answer(waiters, result) }
    }

    private func answer(_ waiters: [LookupWaiter], _ labels: NamespaceLabels) {
        for waiter in waiters { waiter.answer(labels) }
    }
}

/// One request waiting for a namespace lookup (compared by identity, so its budget can remove it).
private final class LookupWaiter: Sendable {
    let answer: @Sendable (NamespaceLabels) -> Void

    init(_ answer: @escaping @Sendable (NamespaceLabels) -> Void) {
        self.answer = answer
    }
}
