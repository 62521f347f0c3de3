import ProfileImpact
import Testing

/// A clock that moves only when told to.
private final class ManualClock: Clock, @unchecked Sendable {
    struct Instant: InstantProtocol {
        var offset: Duration
        func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        func duration(to other: Instant) -> Duration { other.offset - offset }
        static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    var now = Instant(offset: .zero)
    var minimumResolution: Duration { .nanoseconds(1) }
    func sleep(until deadline: Instant, tolerance: Duration?) async throws { now = deadline }
}

@Suite struct ListingProgressTests {
    @Test func silentForTheFirstSecondThenOnceASecondThenAClosingLine() {
        let clock = ManualClock()
        var lines: [String] = []
        let progress = ListingProgress(clock: clock) { lines.append($0) }
        progress.record(.init(collection: "/api/v1/namespaces", objects: 500))
        clock.now = clock.now.advanced(by: .milliseconds(999))
        progress.record(.init(collection: "/api/v1/namespaces", objects: 700))
        #expect(lines.isEmpty)
        clock.now = clock.now.advanced(by: .milliseconds(1))
        progress.record(.init(collection: "/apis/apps/v1/deployments", objects: 500))
        clock.now = clock.now.advanced(by: .milliseconds(500))
        progress.record(.init(collection: "/apis/apps/v1/deployments", objects: 1000))
        clock.now = clock.now.advanced(by: .milliseconds(500))
        progress.record(.init(collection: "/apis/apps/v1/deployments", objects: 1200))
        clock.now = clock.now.advanced(by: .milliseconds(250))
        progress.finish()
        #expect(lines == [
            "diff: listed 1200 object(s) so far (now /apis/apps/v1/deployments)",
            "diff: listed 1900 object(s) so far (now /apis/apps/v1/deployments)",
            "diff: listed 1900 object(s) in 2.25 seconds",
        ])
    }

    @Test func aQuickListingPrintsNothing() {
        let clock = ManualClock()
        var lines: [String] = []
        let progress = ListingProgress(clock: clock) { lines.append($0) }
        progress.record(.init(collection: "/api/v1/namespaces", objects: 3))
        clock.now = clock.now.advanced(by: .milliseconds(20))
        progress.finish()
        #expect(lines.isEmpty)
    }
}
