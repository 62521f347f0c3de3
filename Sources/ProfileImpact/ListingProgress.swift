/// Progress of a cluster listing, for people waiting on it: silent for the first second (a small
/// cluster lists in less), then a line at most once a second, and a closing line when progress
/// was shown. The clock is injected, so tests need not sleep.
public final class ListingProgress<C: Clock>: @unchecked Sendable where C.Duration == Duration {
    // Used by the one task that lists, then by the caller after that task has finished.
    private let clock: C
    private let write: (String) -> Void
    private let start: C.Instant
    private var lastReport: C.Instant?
    private var counts: [String: Int] = [:]

    /// Progress starting now; `write` takes each line.
    public init(clock: C, write: @escaping (String) -> Void) {
        self.clock = clock
        self.write = write
        start = clock.now
    }

    /// Objects listed so far, every collection together.
    public var total: Int { counts.values.reduce(0, +) }

    /// Takes one page's progress.
    public func record(_ progress: ClusterInventory.Progress) {
        counts[progress.collection] = progress.objects
        let now = clock.now
        guard start.duration(to: now) >= .seconds(1), lastReport.map({ $0.duration(to: now) >= .seconds(1) }) ?? true else { return }
        lastReport = now
        write("diff: listed \(total) object(s) so far (now \(progress.collection))")
    }

    /// The closing line, when progress was shown.
    public func finish() {
        guard lastReport != nil else { return }
        write("diff: listed \(total) object(s) in \(start.duration(to: clock.now))")
    }
}
