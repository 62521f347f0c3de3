import Synchronization

/// A flag set by the consuming task and polled by libcurl's progress callback on the transfer thread.
final class TransferCancellation: Sendable {
    private let flag = Atomic<Bool>(false)

    /// Asks the transfer to stop at the next progress callback (at least once per second).
    func cancel() {
        flag.store(true, ordering: .relaxed)
    }

    /// Whether `cancel()` was called.
    var isCancelled: Bool {
        flag.load(ordering: .relaxed)
    }
}
