internal import Prometheus
import Synchronization

/// The counters of one labeled metric, created on first use and cached by a cheap key.
///
/// The registry finds a counter by hashing its label strings under its own lock; hot paths instead keep
/// the handle here, keyed by an integer (or a single string), and increment the lock-free counter.
/// `seriesLimit` bounds the number of series: once reached, keys not yet seen go to `overflowKey`.
final class CounterFamily<Key: Hashable & Sendable>: Sendable {
    private let registry: PrometheusCollectorRegistry
    private let definition: MetricDefinition
    private let seriesLimit: Int
    private let overflowKey: Key?
    private let counters = Mutex<[Key: Counter]>([:])

    init(registry: PrometheusCollectorRegistry, definition: MetricDefinition, seriesLimit: Int = .max, overflowKey: Key? = nil) {
        precondition(seriesLimit == .max || overflowKey != nil, "a series limit needs an overflow key")
        self.registry = registry
        self.definition = definition
        self.seriesLimit = seriesLimit
        self.overflowKey = overflowKey
    }

    /// Adds one to the series of `key`; `labels` names it and is called only when the series is new.
    func increment(_ key: Key, labels: (Key) -> [(String, String)]) {
        counters.withLock { counters in
            counter(for: key, in: &counters, labels: labels)
        }.increment()
    }

    /// Adds one to the series of each key, taking the lock once.
    func increment(_ keys: [Key], labels: (Key) -> [(String, String)]) {
        guard !keys.isEmpty else { return }
        counters.withLock { counters in
            for key in keys { counter(for: key, in: &counters, labels: labels).increment() }
        }
    }

    private func counter(for key: Key, in counters: inout [Key: Counter], labels: (Key) -> [(String, String)]) -> Counter {
        if let existing = counters[key] { return existing }
        var key = key
        if counters.count >= seriesLimit, let overflowKey {
            key = overflowKey
            if let existing = counters[key] { return existing }
        }
        let counter = registry.makeCounter(descriptor: definition.descriptor, labels: labels(key))
        counters[key] = counter
        return counter
    }
}
