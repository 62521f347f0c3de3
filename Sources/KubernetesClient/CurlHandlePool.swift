internal import CCurl
import Synchronization

/// Idle easy handles kept for reuse, so short calls share connections and TLS sessions; every handle
/// the pool makes also shares TLS sessions and DNS answers through one share handle, so a call that
/// needs a new connection (several at once) resumes a session rather than paying a full handshake.
final class CurlHandlePool: Sendable {
    private let idle = Mutex<[CurlEasyHandle]>([])
    private let capacity: Int
    private let share = CurlShare()

    init(capacity: Int = 4) {
        self.capacity = capacity
    }

    /// An idle handle, or a new one.
    func take() throws(KubernetesClientError) -> CurlEasyHandle {
        if let handle = idle.withLock({ $0.popLast() }) { return handle }
        return try CurlEasyHandle(share: share)
    }

    /// Returns a handle after its transfer; beyond capacity it is freed.
    func giveBack(_ handle: CurlEasyHandle) {
        idle.withLock { handles in
            if handles.count < capacity { handles.append(handle) }
        }
    }
}

/// A libcurl share handle for TLS sessions and DNS answers, locked for use from any thread; nil inside
/// when libcurl refuses one (handles then keep their own caches). Freed after the last handle using it.
final class CurlShare: @unchecked Sendable {
    let raw: UnsafeMutableRawPointer?
    private let locks: UnsafeMutableRawPointer?

    init() {
        var locks: UnsafeMutableRawPointer?
        raw = eci_curl_share_new(&locks)
        self.locks = locks
    }

    deinit {
        if let raw { eci_curl_share_free(raw, locks) }
    }
}
