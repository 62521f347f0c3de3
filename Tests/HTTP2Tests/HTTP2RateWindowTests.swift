import Testing

@testable import HTTP2

@Suite struct HTTP2RateWindowTests {
    private static func record(_ times: [UInt64], limit: Int, window: UInt64 = 1_000) -> [Bool] {
        var rateWindow = HTTP2RateWindow(limit: limit, windowNanoseconds: window)
        return times.map { rateWindow.record(at: $0) }
    }

    @Test func allowsTheLimitThenRejectsWithinTheWindow() {
        #expect(Self.record([0, 100, 200, 999], limit: 3) == [false, false, false, true])
    }

    @Test func slidesAsOldEventsExpire() {
        // At 1_000 the event at 0 has left the window; at 1_400 the ones at 500 and 1_000 are inside.
        #expect(Self.record([0, 500, 1_000, 1_400, 2_000], limit: 2) == [false, false, false, true, false])
    }

    @Test func aSteadyRateAtTheLimitIsAllowed() {
        let times = (0..<1_000).map { UInt64($0) * 10 }   // 100 events per 1_000 ns
        #expect(Self.record(times, limit: 100).allSatisfy { !$0 })
    }

    @Test func zeroLimitRejectsEverything() {
        #expect(Self.record([0, 5_000], limit: 0) == [true, true])
    }
}
