import ProfileImpact

/// Progress of the cluster listing on standard error: silent for the first second (a small
/// cluster lists in less), then a line at most once a second, and a last line when done.
final class ListingProgress: @unchecked Sendable {
    // Used from the one task that lists, and after it has finished.
    private let clock = ContinuousClock()
    private let start: ContinuousClock.Instant
    private var lastReport: ContinuousClock.Instant?
    private var counts: [String: Int] = [:]

    init() {
        start = clock.now
    }

    /// Objects listed so far, every collection together.
    var total: Int { counts.values.reduce(0, +) }

    /// Takes one page's progress.
    func record(_ progress: ClusterInventory.Progress) {
        counts[progress.collection] = progress.objects
        let now = clock.now
        guard now - start >= .seconds(1), lastReport.map({ now - $0 >= .seconds(1) }) ?? true else { return }
        lastReport = now
        printError("diff: listed \(total) object(s) so far (now \(progress.collection))")
    }

    /// The closing line, when progress was shown.
    func finish() {
        guard lastReport != nil else { return }
        printError("diff: listed \(total) object(s) in \(clock.now - start)")
    }
}
