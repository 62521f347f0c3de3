import Foundation
import Synchronization

/// Supplies the bearer token, re-reading a token file when the cached copy is older than the
/// refresh interval or after `invalidate()` (called on a 401).
final class BearerTokenProvider: Sendable {
    private struct Cache {
        var token: String?
        var readAt: ContinuousClock.Instant?
    }

    private let source: KubernetesClientConfiguration.BearerToken
    private let refreshInterval: Duration
    private let now: @Sendable () -> ContinuousClock.Instant
    private let cache = Mutex(Cache())

    init(
        source: KubernetesClientConfiguration.BearerToken,
        refreshInterval: Duration,
        now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }
    ) {
        self.source = source
        self.refreshInterval = refreshInterval
        self.now = now
    }

    /// Whether a 401 may be cured by reading the token again.
    var isRefreshable: Bool {
        if case .file = source { true } else { false }
    }

    /// The token to send, or nil for none.
    func token() throws(KubernetesClientError) -> String? {
        switch source {
        case .none: return nil
        case .literal(let token): return token
        case .file(let path):
            let instant = now()
            if let cached = cache.withLock({ cache -> String? in
                guard let readAt = cache.readAt, readAt.advanced(by: refreshInterval) > instant else { return nil }
                return cache.token
            }) {
                return cached
            }
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw .unreadableTokenFile(path)
            }
            let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
            cache.withLock { $0 = Cache(token: token, readAt: instant) }
            return token
        }
    }

    /// Forgets the cached token so the next `token()` reads the file.
    func invalidate() {
        cache.withLock { $0.readAt = nil }
    }
}
