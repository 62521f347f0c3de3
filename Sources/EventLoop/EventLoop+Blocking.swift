import Dispatch

extension EventLoop {
    /// Runs `body` on this loop and waits for its result (directly when already on the loop). For setup and
    /// teardown from a plain thread, never for the request path.
    public func runBlocking<Result: Sendable>(_ body: @escaping @Sendable () throws -> Result) throws -> Result {
        if inEventLoop { return try body() }
        let box = ResultBox<Result>()
        let accepted = execute {
            box.result = Swift.Result { try body() }
            box.done.signal()
        }
        guard accepted else { throw EventLoopError.shutDown }
        box.done.wait()
        return try box.result!.get()
    }
}

/// A result handed from the loop thread to the waiting thread; the semaphore orders the accesses.
private final class ResultBox<Value>: @unchecked Sendable {
    var result: Result<Value, any Error>?
    let done = DispatchSemaphore(value: 0)
}
