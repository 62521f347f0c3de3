import Dispatch

/// Runs async work from a synchronous command and waits for its result on the calling thread
/// (the main thread is not one of the concurrency pool's, so blocking it starves nothing).
func runBlocking<Value: Sendable>(_ work: @escaping @Sendable () async throws -> Value) throws -> Value {
    let outcome = BlockingOutcome<Value>()
    let done = DispatchSemaphore(value: 0)
    Task {
        do {
            outcome.result = .success(try await work())
        } catch {
            outcome.result = .failure(error)
        }
        done.signal()
    }
    done.wait()
    return try outcome.result!.get()
}

/// The result of `runBlocking`'s task: written once before the semaphore is signalled, read
/// after the wait, so never touched by two threads at once.
private final class BlockingOutcome<Value>: @unchecked Sendable {
    var result: Result<Value, any Error>?
}
