/// Where a log handler writes its finished lines.
public protocol LogSink: Sendable {
    /// Writes one complete line (newline included) so that it never interleaves with another.
    func write(line: [UInt8])
}
