import Testing

@testable import KubernetesClient

@Suite struct ExponentialBackoffTests {
    /// A deterministic generator (SplitMix64).
    private struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test func ceilingDoublesUpToTheCapAndDelaysStayBelowIt() {
        var backoff = ExponentialBackoff(initial: .milliseconds(200), maximum: .seconds(3))
        var random = SplitMix(state: 1)
        var ceilings: [Duration] = []
        for _ in 0..<7 {
            let ceiling = backoff.ceiling
            ceilings.append(ceiling)
            let delay = backoff.nextDelay(using: &random)
            #expect(delay >= .zero && delay <= ceiling)
        }
        #expect(ceilings == [.milliseconds(200), .milliseconds(400), .milliseconds(800), .milliseconds(1600), .seconds(3), .seconds(3), .seconds(3)])
        backoff.reset()
        #expect(backoff.ceiling == .milliseconds(200))
    }

    @Test func jitterSpreadsDelaysAcrossTheRange() {
        var backoff = ExponentialBackoff(initial: .seconds(1), maximum: .seconds(1))
        var random = SplitMix(state: 7)
        let delays = (0..<200).map { _ in backoff.nextDelay(using: &random) }
        #expect(delays.contains { $0 < .milliseconds(250) })
        #expect(delays.contains { $0 > .milliseconds(750) })
    }

    @Test func manyFailuresDoNotOverflow() {
        var backoff = ExponentialBackoff(initial: .seconds(1), maximum: .seconds(30))
        var random = SplitMix(state: 3)
        for _ in 0..<100 { _ = backoff.nextDelay(using: &random) }
        #expect(backoff.ceiling == .seconds(30))
    }
}
