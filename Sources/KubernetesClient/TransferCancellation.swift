import Synchronization

/// A flag set by the consuming task and polled by the transfer thread between waits.
final class TransferCancellation: Sendable {
    private let flag = Atomic<Bool>(false)

    /// Asks the transfer to stop at its next check (within `TransferLimit.slice`).
    func cancel() {
        flag.store(true, ordering: .relaxed)
    }

    /// Whether `cancel()` was called.
    var isCancelled: Bool {
        flag.load(ordering: .relaxed)
    }
}
