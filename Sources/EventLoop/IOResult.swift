/// The outcome of a non-blocking operation: it made progress, or it would have had to wait.
public enum IOResult<Value> {
    /// The operation completed with `Value` (for reads and writes, a byte count; a read of 0 is end of file).
    case processed(Value)
    /// The descriptor is not ready (`EAGAIN`/`EWOULDBLOCK`); wait for readiness and try again.
    case wouldBlock
}

extension IOResult: Sendable where Value: Sendable {}
