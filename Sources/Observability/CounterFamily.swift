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
    private let state = Mutex(State())

    private struct State {
        var counters: [Key: Counter] = [:]
        /// The keys counted last and their counters, compared before `counters` is searched: under
        /// steady load a request counts the keys the one before it counted, and comparing them costs
        /// less than hashing them (callgrind: about 1,000 fewer instructions per admission request).
        /// `lastKey` serves the one-key `increment`, so that a changed key (admission results
        /// alternate under real load) allocates nothing; `lastKeys` serves the several-keys one.
        var lastKey: Key?
        var lastCounter: Counter?
        var lastKeys: [Key] = []
        var lastCounters: [Counter] = []
    }

    init(registry: PrometheusCollectorRegistry, definition: MetricDefinition, seriesLimit: Int = .max, overflowKey: Key? = nil) {
        precondition(seriesLimit == .max || overflowKey != nil, "a series limit needs an overflow key")
        self.registry = registry
        self.definition = definition
        self.seriesLimit = seriesLimit
        self.overflowKey = overflowKey
    }

    /// Adds one to the series of `key`; `labels` names it and is called only when the series is new.
    func increment(_ key: Key, labels: (Key) -> [(String, String)]) {
        state.withLock { state in
            if state.lastKey == key, let counter = state.lastCounter { return counter }
            let counter = counter(for: key, in: &state.counters, labels: labels)
            state.lastKey = key
            state.lastCounter = counter
            return counter
        }.increment()
    }

    /// Adds one to the series of each key, taking the lock once.
    func increment(_ keys: [Key], labels: (Key) -> [(String, String)]) {
        guard !keys.isEmpty else { return }
        state.withLock { state in
            if keys != state.lastKeys {
                state.lastCounters = keys.map { counter(for: $0, in: &state.counters, labels: labels) }
                state.lastKeys = keys
            }
            for counter in state.lastCounters { counter.increment() }
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
