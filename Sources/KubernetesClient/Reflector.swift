import Logging
import Synchronization

/// Mirrors one collection client-go style: LIST, then WATCH from the list's resourceVersion,
/// keeping a store and reporting every change.
///
/// Maintainers' note: a watch that ends cleanly after delivering events (or after staying open
/// for a second) is resumed at once from the last resourceVersion. A 410 Gone (HTTP or `ERROR` event)
/// forces one re-list. Any other failure, and any attempt that made no progress, waits a
/// full-jitter exponential backoff first, so a broken server never sees a request storm.
public final class Reflector<Object: KubernetesObject>: Sendable {
    private struct State {
        var store: [String: Object] = [:]
        var resourceVersion: String?
        var hasSynced = false
    }

    private enum Ending {
        case clean
        case gone
        case failed
    }

    private let client: KubernetesClient
    private let path: String
    private let fieldSelector: String?
    private let labelSelector: String?
    private let configuration: ReflectorConfiguration
    private let logger: Logger
    private let state = Mutex(State())

    /// Creates a reflector for the collection at `path` (no query), such as `/api/v1/namespaces`.
    public init(
        client: KubernetesClient,
        path: String,
        fieldSelector: String? = nil,
        labelSelector: String? = nil,
        configuration: ReflectorConfiguration = ReflectorConfiguration(),
        logger: Logger
    ) {
        self.client = client
        self.path = path
        self.fieldSelector = fieldSelector
        self.labelSelector = labelSelector
        self.configuration = configuration
        var logger = logger
        logger[metadataKey: "kubernetes.collection"] = "\(path)"
        self.logger = logger
    }

    /// Whether the first list has been delivered.
    public var hasSynced: Bool { state.withLock { $0.hasSynced } }

    /// The last resourceVersion seen (from a list, an event or a bookmark).
    public var resourceVersion: String? { state.withLock { $0.resourceVersion } }

    /// The current objects, sorted by `storeKey`.
    public var items: [Object] {
        state.withLock { $0.store.values.sorted { $0.storeKey < $1.storeKey } }
    }

    /// Lists and watches until the calling task is cancelled, calling `onEvent` for each change.
    public func run(onEvent: (ReflectorEvent<Object>) async -> Void) async {
        var backoff = ExponentialBackoff(initial: configuration.initialBackoff, maximum: configuration.maximumBackoff)
        var random = SystemRandomNumberGenerator()
        var needsList = true
        while !Task.isCancelled {
            var progressed = false
            var ending: Ending
            do {
                if needsList {
                    try await relist(onEvent: onEvent)
                    needsList = false
                }
                try await watchOnce(progressed: &progressed, onEvent: onEvent)
                ending = .clean
            } catch KubernetesClientError.status(let status) where status.code == 410 {
                logger.info("resourceVersion expired; re-listing", metadata: ["kubernetes.reason": "\(status.reason ?? "")"])
                ending = .gone
            } catch {
                if Task.isCancelled { return }
                logger.warning("list/watch failed", metadata: ["error": "\(error)"])
                ending = .failed
            }
            if ending == .gone { needsList = true }
            if progressed {
                backoff.reset()
                if ending != .failed { continue }
            }
            do {
                try await Task.sleep(for: backoff.nextDelay(using: &random))
            } catch {
                return
            }
        }
    }

    private func relist(onEvent: (ReflectorEvent<Object>) async -> Void) async throws {
        let query = ResourceQuery.encode([("fieldSelector", fieldSelector), ("labelSelector", labelSelector)])
        let list = try await client.list(Object.self, path: path + query)
        let items = list.items.sorted { $0.storeKey < $1.storeKey }
        state.withLock { state in
            state.store = Dictionary(items.map { ($0.storeKey, $0) }, uniquingKeysWith: { _, last in last })
            state.resourceVersion = list.resourceVersion
            state.hasSynced = true
        }
        logger.debug("listed", metadata: ["kubernetes.count": "\(items.count)", "kubernetes.resourceVersion": "\(list.resourceVersion)"])
        await onEvent(.replaced(items))
    }

    private func watchOnce(progressed: inout Bool, onEvent: (ReflectorEvent<Object>) async -> Void) async throws {
        let timeoutSeconds = Int.random(in: configuration.watchTimeoutSeconds)
        let query = ResourceQuery.encode([
            ("watch", "1"), ("allowWatchBookmarks", "true"), ("resourceVersion", resourceVersion),
            ("timeoutSeconds", "\(timeoutSeconds)"), ("fieldSelector", fieldSelector), ("labelSelector", labelSelector),
        ])
        let started = ContinuousClock.now
        // As client-go: a watch that stayed open a while was healthy even if it was then cut (an
        // idle timeout on the way, an API server restart), so the next one starts without a
        // growing backoff.
        defer { if ContinuousClock.now - started >= Self.healthyWatchDuration { progressed = true } }
        let events = client.watch(Object.self, path: path + query, timeout: .seconds(timeoutSeconds) + configuration.watchTimeoutSlack)
        for try await event in events {
            switch event {
            case .added(let object):
                apply(object, removing: false)
                await onEvent(.added(object))
            case .modified(let object):
                apply(object, removing: false)
                await onEvent(.modified(object))
            case .deleted(let object):
                apply(object, removing: true)
                await onEvent(.deleted(object))
            case .bookmark(let version):
                state.withLock { $0.resourceVersion = version }
            case .error(let status):
                throw KubernetesClientError.status(status)
            }
            progressed = true
        }
    }

    /// How long a watch must have stayed open to count as healthy.
    static var healthyWatchDuration: Duration { .seconds(1) }

    private func apply(_ object: Object, removing: Bool) {
        state.withLock { state in
            state.store[object.storeKey] = removing ? nil : object
            if let version = object.metadata.resourceVersion { state.resourceVersion = version }
        }
    }
}
