import Synchronization

/// Idle easy handles kept for reuse, so short calls share connections and TLS sessions.
final class CurlHandlePool: Sendable {
    private let idle = Mutex<[CurlEasyHandle]>([])
    private let capacity: Int

    init(capacity: Int = 4) {
        self.capacity = capacity
    }

    /// An idle handle, or a new one.
    func take() throws(KubernetesClientError) -> CurlEasyHandle {
        if let handle = idle.withLock({ $0.popLast() }) { return handle }
        return try CurlEasyHandle()
    }

    /// Returns a handle after its transfer; beyond capacity it is freed.
    func giveBack(_ handle: CurlEasyHandle) {
        idle.withLock { handles in
            if handles.count < capacity { handles.append(handle) }
        }
    }
}
