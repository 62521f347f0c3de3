/// Retry delays that double per consecutive failure up to a cap, drawn uniformly below the
/// ceiling ("full jitter") so that many clients do not retry in step.
struct ExponentialBackoff {
    private let initial: Duration
    private let maximum: Duration
    private(set) var failures = 0

    init(initial: Duration, maximum: Duration) {
        self.initial = initial
        self.maximum = maximum
    }

    /// The ceiling for the next delay: `initial * 2^failures`, at most `maximum`.
    var ceiling: Duration {
        let doublings = min(failures, 30)
        let scaled = initial * (1 << doublings)
        return min(scaled, maximum)
    }

    /// A delay in `0...ceiling`, counting one more failure.
    mutating func nextDelay(using generator: inout some RandomNumberGenerator) -> Duration {
        let (seconds, attoseconds) = ceiling.components
        let nanoseconds = Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)
        failures += 1
        return .nanoseconds(Int.random(in: 0...nanoseconds, using: &generator))
    }

    /// Forgets past failures after a success.
    mutating func reset() {
        failures = 0
    }
}
