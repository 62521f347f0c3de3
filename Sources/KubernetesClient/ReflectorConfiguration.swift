/// Timing of a `Reflector`: watch lengths and the retry backoff.
public struct ReflectorConfiguration: Sendable, Equatable {
    /// Server-side `timeoutSeconds` of each watch, picked at random from this range to spread reconnects.
    public var watchTimeoutSeconds: ClosedRange<Int>
    /// How much longer than `timeoutSeconds` the client waits before giving up on a watch transfer.
    public var watchTimeoutSlack: Duration
    /// Ceiling of the first retry delay; the ceiling doubles per failure (full jitter below it).
    public var initialBackoff: Duration
    /// Largest retry delay ceiling.
    public var maximumBackoff: Duration

    /// Creates a configuration; the defaults suit a production webhook.
    public init(
        watchTimeoutSeconds: ClosedRange<Int> = 300...600,
        watchTimeoutSlack: Duration = .seconds(15),
        initialBackoff: Duration = .milliseconds(500),
        maximumBackoff: Duration = .seconds(30)
    ) {
        self.watchTimeoutSeconds = watchTimeoutSeconds
        self.watchTimeoutSlack = watchTimeoutSlack
        self.initialBackoff = initialBackoff
        self.maximumBackoff = maximumBackoff
    }
}
