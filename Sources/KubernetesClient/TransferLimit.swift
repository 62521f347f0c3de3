internal import Glibc

/// When a blocking transfer gives up: at its deadline, or soon after the caller cancels.
///
/// Every wait polls the socket in slices of at most `slice`, so cancellation is noticed within that
/// time even while the server says nothing (a quiet watch).
struct TransferLimit {
    let deadline: ContinuousClock.Instant
    /// The whole limit, for messages.
    let timeout: Duration
    let cancellation: TransferCancellation

    /// Longest single poll between cancellation checks.
    static let slice: Duration = .milliseconds(100)

    init(timeout: Duration, cancellation: TransferCancellation) {
        self.timeout = timeout
        deadline = .now + timeout
        self.cancellation = cancellation
    }

    /// The tighter of this limit and `timeout` from now (the connect timeout within a request's).
    func narrowed(to timeout: Duration) -> TransferLimit {
        let narrowed = TransferLimit(timeout: timeout, cancellation: cancellation)
        return narrowed.deadline < deadline ? narrowed : self
    }

    /// Waits until `descriptor` is ready for `events` (`POLLIN`, `POLLOUT`); `call` names the
    /// operation waiting, for the error. Error and hang-up conditions count as ready: the next
    /// system call reports them.
    func wait(for events: Int16, on descriptor: Int32, call: String) throws(KubernetesClientError) {
        while true {
            if cancellation.isCancelled { throw .cancelled }
            let remaining = deadline - .now
            guard remaining > .zero else {
                throw .transport(call: call, code: Int(ETIMEDOUT), message: "timed out after \(Self.seconds(timeout))")
            }
            var entry = pollfd(fd: descriptor, events: events, revents: 0)
            let ready = poll(&entry, 1, Int32(Self.milliseconds(min(remaining, Self.slice))))
            if ready > 0 { return }
            if ready < 0, errno != EINTR {
                throw .transport(call: "poll", code: Int(errno), message: String(cString: strerror(errno)))
            }
        }
    }

    /// Whole milliseconds, rounded up so a wait never spins with a zero timeout.
    private static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return Int(seconds) * 1000 + Int((attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000)
    }

    /// `30 s`, `1.5 s`.
    static func seconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let tenths = attoseconds / 100_000_000_000_000_000
        return tenths == 0 ? "\(seconds) s" : "\(seconds).\(tenths) s"
    }
}
