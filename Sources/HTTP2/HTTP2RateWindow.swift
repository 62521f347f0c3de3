/// Counts events in a sliding time window and reports when more than `limit` fall inside it.
///
/// Keeps the times of the last `limit` events in a ring (grown on demand, so a quiet connection
/// costs nothing): a new event exceeds the limit exactly when the oldest of those is still inside
/// the window.
struct HTTP2RateWindow {
    let limit: Int
    let windowNanoseconds: UInt64
    private var times: [UInt64] = []
    private var oldest = 0

    init(limit: Int, windowNanoseconds: UInt64 = 1_000_000_000) {
        self.limit = max(0, limit)
        self.windowNanoseconds = windowNanoseconds
    }

    /// Records one event at `now` (monotonic nanoseconds); returns true if the limit is exceeded.
    mutating func record(at now: UInt64) -> Bool {
        if times.count < limit {
            times.append(now)
            return false
        }
        guard limit > 0 else { return true }
        let oldestTime = times[oldest]
        if now < oldestTime || now - oldestTime < windowNanoseconds {
            return true
        }
        times[oldest] = now
        oldest = (oldest + 1) % limit
        return false
    }
}
