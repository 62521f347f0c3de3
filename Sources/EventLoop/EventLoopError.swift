/// Errors of the loop itself (system call failures are `SystemError`).
public enum EventLoopError: Error, Sendable, Equatable {
    /// The loop has stopped and no longer runs submitted work.
    case shutDown
}
